"""Benchmark: ``zhaoshang backup`` / ``restore`` against the bare copy they cannot avoid.

    .venv/bin/python bench/backup.py [--rows 200000] [--files 200] [--file-kb 100]
                                     [--runs 3] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Builds its own site in a temporary directory: a migrated SQLite file with
``--rows`` audit rows (JSON before/after, like real writes) and ``--files``
uploads of ``--file-kb`` random bytes, each named by an import job. Then times,
``--runs`` times, interleaved:

- backup: ``core.backup.create_backup`` (dump, per-table checksums, files read
  through the storage with their sha256, manifest, fsync, rename) against its
  floor, the bare copy (SQLite's backup API into a file, gzip of it, the files
  read and gzipped into one tar);
- restore: ``core.backup.restore_backup`` into a new empty database and media
  directory (unpack, sha256 of every member, checksums of the dump before the
  copy, the copy, the files written and read back) against its floor (unpack
  the tar, SQLite backup API into the target, files copied).

Prints each p50 and the ratio. ``--postgres ADMIN_URL`` does the same on
PostgreSQL, in databases named ``zs_backup_test_bench_<random>`` it creates and
drops (floor: ``pg_dump -Fc`` + tar, and ``pg_restore -1`` into an empty one).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--file-kb", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (its /postgres)")
    return parser.parse_args()


ARGS = _args()
WORK = Path(tempfile.mkdtemp(prefix="zs-bench-backup-"))
PG_NAMES: list[str] = []


def _pg_url(admin: str, name: str) -> str:
    return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))


def _pg_create(admin: str) -> str:
    import psycopg

    name = f"zs_backup_test_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    PG_NAMES.append(name)
    return name


os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
os.environ["ZHAOSHANG_VAR_DIR"] = str(WORK / "var")
if ARGS.postgres:
    os.environ["DATABASE_URL"] = _pg_url(ARGS.postgres, _pg_create(ARGS.postgres))
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'source.sqlite3'}"

import django  # noqa: E402

from zhaoshang import vardir  # noqa: E402

django.setup()
vardir.prepare()

from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhaoshang.core.backup import create_backup, restore_backup  # noqa: E402
from zhaoshang.core.models import Area, AuditEvent  # noqa: E402
from zhaoshang.imports.models import ImportJob  # noqa: E402


def build() -> None:
    """Migrate, then the audit rows in bulk and the uploads through the storage."""
    call_command("migrate", verbosity=0)
    area = Area.objects.create(code="419901", name="基准区", level="county", path="419901")
    now = timezone.now()
    batch = 5000
    for start in range(0, ARGS.rows, batch):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                at=now,
                username="bench",
                action="update",
                object_type="project",
                object_id=str(n),
                object_repr=f"基准项目 {n}",
                before={"stage": "洽谈", "amount": str(n * 3.5), "notes": "某某" * 20},
                after={"stage": "签约", "amount": str(n * 3.5), "notes": "某某" * 20},
            )
            for n in range(start, min(start + batch, ARGS.rows))
        )
    for n in range(ARGS.files):
        job = ImportJob(area=area, kind="projects", file_name=f"台账{n}.xlsx")
        job.file.save(f"bench{n}.xlsx", ContentFile(os.urandom(ARGS.file_kb * 1024)), save=False)
        job.save()


def media_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def floor_backup(target: Path) -> None:
    """The bare copy: the database dump, gzipped into one tar with the files."""
    scratch = WORK / "floor-dump"
    scratch.unlink(missing_ok=True)
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        with closing(sqlite3.connect(name)) as src, closing(sqlite3.connect(scratch)) as dst:
            src.backup(dst)
    else:
        subprocess.run(
            ["pg_dump", "-Fc", f"--file={scratch}", _pg_url(ARGS.postgres, PG_NAMES[0])],
            check=True,
        )
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(scratch, arcname="database")
        for path in media_files():
            tar.add(path, arcname=f"files/{path.name}")


def floor_restore(archive: Path, database: str, media: Path) -> None:
    """The bare load: unpack, the dump into the empty target, the files into media."""
    unpacked = WORK / "floor-unpacked"
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(unpacked, filter="data")
    if connection.vendor == "sqlite":
        src_path = unpacked / "database"
        with closing(sqlite3.connect(src_path)) as src, closing(sqlite3.connect(database)) as dst:
            src.backup(dst)
    else:
        subprocess.run(
            ["pg_restore", "-1", "--no-owner", "-d", database, str(unpacked / "database")],
            check=True,
        )
    shutil.copytree(unpacked / "files", media, dirs_exist_ok=True)


def fresh_target(run: int, kind: str) -> tuple[str, Path]:
    """A new empty database (SQLite path or PostgreSQL URL) and media directory."""
    media = WORK / f"media-{kind}-{run}"
    if connection.vendor == "sqlite":
        return str(WORK / f"target-{kind}-{run}.sqlite3"), media
    return _pg_url(ARGS.postgres, _pg_create(ARGS.postgres)), media


def restore_into(archive: Path, database: str, media: Path) -> None:
    """``restore_backup`` with the site's database and media pointed at the target."""
    source = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = database
    else:
        connection.settings_dict["NAME"] = urlsplit(database).path.lstrip("/")
    try:
        with override_settings(MEDIA_ROOT=media):
            restore_backup(archive)
    finally:
        connection.close()
        connection.settings_dict.update(source)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    start = time.perf_counter()
    build()
    print(f"{connection.vendor}: {ARGS.rows} audit rows, {ARGS.files} files of {ARGS.file_kb} KB")
    print(f"built in {time.perf_counter() - start:.1f} s")
    times: dict[str, list[float]] = {k: [] for k in ("backup", "floor_b", "restore", "floor_r")}
    for run in range(ARGS.runs):
        archive, floor_archive = WORK / f"zs-{run}.tar.gz", WORK / f"floor-{run}.tar.gz"
        times["backup"].append(timed(lambda: create_backup(archive)))  # noqa: B023
        times["floor_b"].append(timed(lambda: floor_backup(floor_archive)))  # noqa: B023
        target, media = fresh_target(run, "zs")
        times["restore"].append(timed(lambda: restore_into(archive, target, media)))  # noqa: B023
        target, media = fresh_target(run, "floor")
        if connection.vendor == "postgresql":
            target = urlsplit(target).path.lstrip("/")
        times["floor_r"].append(
            timed(lambda: floor_restore(floor_archive, target, media))  # noqa: B023
        )
    size = (WORK / "zs-0.tar.gz").stat().st_size / 1e6
    p50 = {key: statistics.median(values) for key, values in times.items()}
    print(f"archive {size:.1f} MB")
    print(f"backup  p50 {p50['backup']:.2f} s   floor {p50['floor_b']:.2f} s   "
          f"ratio {p50['backup'] / p50['floor_b']:.2f}")  # fmt: skip
    print(f"restore p50 {p50['restore']:.2f} s   floor {p50['floor_r']:.2f} s   "
          f"ratio {p50['restore'] / p50['floor_r']:.2f}")  # fmt: skip


def cleanup() -> None:
    connection.close()
    if ARGS.postgres and PG_NAMES:
        import psycopg

        with psycopg.connect(ARGS.postgres, autocommit=True) as conn:
            for name in PG_NAMES:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        cleanup()
    sys.exit(0)
