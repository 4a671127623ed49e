"""Writing a backup archive (``create_backup``): dump, files, manifest, atomic rename."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

import zhaoshang

from .common import (
    CHUNK,
    DUMPS,
    FILES_DIR,
    FORMAT,
    MANIFEST,
    BackupError,
    FileRef,
    file_refs,
    pg_connect,
    pg_digests,
    pg_tool,
    run_pg_tool,
    sha256_file,
    sha256_stream,
    sqlite_digests,
    sqlite_path,
    work_dir,
)


@dataclass
class Snapshot:
    """A dump and what was read from the same snapshot."""

    dump: Path
    tables: dict[str, dict[str, Any]]
    refs: list[FileRef]


def _dump_sqlite(work: Path) -> Snapshot:
    """SQLite's online backup: a consistent copy even while the site writes."""
    dump = work / DUMPS["sqlite"]
    with (
        closing(sqlite3.connect(sqlite_path(), timeout=60)) as source,
        closing(sqlite3.connect(dump)) as copy,
    ):
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return Snapshot(dump, sqlite_digests(copy), file_refs(copy.cursor()))


def _dump_postgres(work: Path) -> Snapshot:
    """pg_dump reads the snapshot this transaction exported, and so do the checksums."""
    import psycopg

    dump = work / DUMPS["postgresql"]
    with pg_connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            done = run_pg_tool(
                [
                    pg_tool("pg_dump"),
                    "-w",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                ]
            )
            if done.returncode != 0:
                raise BackupError(_("pg_dump failed: %(error)s") % {"error": done.stderr.strip()})
            snap = Snapshot(dump, pg_digests(cursor), file_refs(cursor))
        conn.rollback()
    return snap


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    with tempfile.SpooledTemporaryFile() as handle:
        handle.write(data)
        handle.seek(0)
        tar.addfile(info, handle)


def _add_stored_file(
    tar: tarfile.TarFile, member: str, ref: FileRef, work: Path
) -> dict[str, Any] | None:
    """Copy one stored file into the archive through its storage; None when it is gone."""
    storage = ref.storage()
    try:
        source = storage.open(ref.name, "rb")
    except FileNotFoundError:
        return None
    with source, tempfile.SpooledTemporaryFile(max_size=8 * CHUNK, dir=str(work)) as spool:
        size, sha = sha256_stream(source, copy_to=spool)
        spool.seek(0)
        info = tarfile.TarInfo(member)
        info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o600
        tar.addfile(info, spool)
    return {"member": member, **ref.__dict__, "size": size, "sha256": sha}


def _manifest(
    snap: Snapshot, files: list[dict[str, Any]], missing: list[dict[str, Any]]
) -> dict[str, Any]:
    size, sha = sha256_file(snap.dump)
    return {
        "format": FORMAT,
        "app_version": zhaoshang.__version__,
        "django_version": django.get_version(),
        "vendor": connection.vendor,
        "created_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "database": {"member": snap.dump.name, "size": size, "sha256": sha},
        "tables": snap.tables,
        "files": files,
        "missing_files": missing,
    }


def _write_archive(partial: Path, snap: Snapshot, work: Path) -> dict[str, Any]:
    """Write the whole archive to ``partial`` and fsync it; the manifest goes last."""
    files: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    with partial.open("xb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            tar.add(snap.dump, arcname=snap.dump.name)
            for index, ref in enumerate(snap.refs, start=1):
                entry = _add_stored_file(tar, f"{FILES_DIR}{index:06d}", ref, work)
                (files if entry else missing).append(entry or ref.__dict__)
            manifest = _manifest(snap, files, missing)
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
            _add_bytes(tar, MANIFEST, data.encode())
        raw.flush()
        os.fsync(raw.fileno())
    return manifest


def _publish(partial: Path, target: Path) -> None:
    """The one step that makes the archive visible: an atomic rename, then the directory fsync."""
    os.replace(partial, target)
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be fsynced
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def create_backup(target: Path) -> dict[str, Any]:
    """Write a backup archive of the database and its files to ``target``; its manifest."""
    if connection.vendor not in DUMPS:
        raise BackupError(_("Backups support SQLite and PostgreSQL only."))
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    with work_dir(".zs-backup-") as scratch:
        work = Path(scratch)
        snap = _dump_postgres(work) if connection.vendor == "postgresql" else _dump_sqlite(work)
        try:
            manifest = _write_archive(partial, snap, work)
            _publish(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return manifest
