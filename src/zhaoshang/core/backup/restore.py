"""Restoring an archive (``restore_backup``): check all, load so a mismatch changes nothing,
then the files."""

from __future__ import annotations

import json
import re
import sqlite3
import tarfile
import zlib
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.files import File
from django.core.files.storage import Storage
from django.db import connection
from django.utils.translation import gettext as _

from .common import (
    DUMPS,
    FORMAT,
    HEX64,
    IDENT,
    MANIFEST,
    MEMBER,
    PG_TEXT_SETTINGS,
    VENDOR_NAMES,
    BackupError,
    FileRef,
    differences,
    pg_digest_select,
    pg_tool,
    run_pg_tool,
    sha256_stream,
    sqlite_digests,
    sqlite_path,
    work_dir,
)


def _extract(archive: Path, work: Path) -> dict[str, tuple[Path, int, str]]:
    """Unpack the archive's known members into ``work``: name → (path, size, sha256)."""
    found: dict[str, tuple[Path, int, str]] = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for info in tar:
                if not info.isfile() or not MEMBER.match(info.name) or info.name in found:
                    raise BackupError(
                        _("The archive holds an unexpected entry %(name)s.") % {"name": info.name}
                    )
                path = work / info.name.replace("/", "_")
                source = tar.extractfile(info)
                assert source is not None
                with source, path.open("xb") as out:
                    size, sha = sha256_stream(source, copy_to=out)
                found[info.name] = (path, size, sha)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(
            _("%(file)s is not a readable backup archive (%(error)s).")
            % {"file": archive, "error": exc}
        ) from exc
    return found


def _load_manifest(found: dict[str, tuple[Path, int, str]]) -> dict[str, Any]:
    if MANIFEST not in found:
        raise BackupError(_("The archive has no manifest.json."))
    try:
        manifest = json.loads(found[MANIFEST][0].read_text(encoding="utf-8"))
        valid = _valid_manifest(manifest)
    except (ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise BackupError(_("The archive's manifest.json is damaged or of another format."))
    return manifest


def _valid_manifest(manifest: dict[str, Any]) -> bool:
    """The shape restore relies on: checksums are hex, names are plain (they reach SQL and
    storages), every file's model and field exist. KeyError/TypeError count as invalid."""
    entries = [manifest["database"], *manifest["files"]]
    return (
        manifest["format"] == FORMAT
        and all(HEX64.match(e["sha256"]) and isinstance(e["size"], int) for e in entries)
        and all(
            IDENT.match(name) and HEX64.match(t["sha256"]) and isinstance(t["rows"], int)
            for name, t in manifest["tables"].items()
        )
        and all(_plain_file(entry) for entry in manifest["files"])
    )


def _plain_file(entry: dict[str, Any]) -> bool:
    """A relative name without ``..``, for a FileField that exists in this version."""
    path = PurePosixPath(entry["name"])
    if path.is_absolute() or ".." in path.parts or not entry["name"]:
        return False
    try:
        FileRef(entry["model"], entry["field"], entry["name"]).storage()
    except (LookupError, ValueError, FieldDoesNotExist, BackupError):
        return False
    return True


def _check_members(manifest: dict[str, Any], found: dict[str, tuple[Path, int, str]]) -> None:
    """Every listed member present with its size and sha256, and nothing unlisted."""
    entries = [manifest["database"], *manifest["files"]]
    listed = {entry["member"] for entry in entries} | {MANIFEST}
    for entry in entries:
        got = found.get(entry["member"])
        if got is None or got[1:] != (entry["size"], entry["sha256"]):
            raise BackupError(
                _("%(member)s in the archive does not match its manifest (changed or damaged).")
                % {"member": entry["member"]}
            )
    extra = sorted(set(found) - listed)
    if extra:
        raise BackupError(_("The archive holds an unexpected entry %(name)s.") % {"name": extra[0]})


def _check_vendor(manifest: dict[str, Any]) -> None:
    vendor = manifest.get("vendor")
    if vendor != connection.vendor:
        raise BackupError(
            _(
                "This is a %(backup)s backup and the site's database is %(site)s: "
                "a backup restores only into the same kind of database."
            )
            % {
                "backup": VENDOR_NAMES.get(str(vendor), str(vendor)),
                "site": VENDOR_NAMES.get(connection.vendor, connection.vendor),
            }
        )


def database_tables() -> list[str]:
    """The tables the site's database holds now (empty list: a fresh database)."""
    if connection.vendor == "sqlite" and not sqlite_path().exists():
        return []
    with connection.cursor() as cursor:
        return list(connection.introspection.table_names(cursor))


def _check_empty(force: bool) -> None:
    tables = database_tables()
    connection.close()
    if tables and not force:
        raise BackupError(
            _(
                "The database is not empty (%(n)d tables). Restore into a new, empty "
                "database (do not migrate it first), or add --force to replace everything in it."
            )
            % {"n": len(tables)}
        )


def _mismatch(tables: list[str]) -> BackupError:
    shown = "，".join(tables[:5]) + ("……" if len(tables) > 5 else "")
    return BackupError(
        _(
            "The restored data does not match the manifest (tables: %(tables)s). "
            "Nothing was changed in the database."
        )
        % {"tables": shown}
    )


def _restore_sqlite(dump: Path, manifest: dict[str, Any]) -> None:
    """Verify the dump as its own file, then copy it into the target in one transaction."""
    with closing(sqlite3.connect(dump)) as copy:
        differ = differences(manifest["tables"], sqlite_digests(copy))
    if differ:
        raise _mismatch(differ)
    target = sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(dump)) as source,
        closing(sqlite3.connect(target, timeout=60)) as dest,
    ):
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=WAL")  # as the site opens it
        differ = differences(manifest["tables"], sqlite_digests(dest))
    if differ:  # cannot happen unless the disk lies; said loudly all the same
        raise BackupError(
            _("The database was restored but reads back differently (tables: %(tables)s).")
            % {"tables": "，".join(differ[:5])}
        )


def _pg_verify_block(tables: dict[str, Any]) -> str:
    """PL/pgSQL that raises unless every table has the manifest's count and checksum."""
    lines = [
        "DO $zsverify$",
        "DECLARE zs_rows bigint; zs_sha text; zs_tables int;",
        "BEGIN",
        "  SELECT count(*) INTO zs_tables FROM pg_catalog.pg_tables WHERE schemaname = 'public';",
        f"  IF zs_tables <> {len(tables)} THEN",
        "    RAISE EXCEPTION 'zhaoshang-verify: [tables] % tables', zs_tables; END IF;",
    ]
    for name, expected in sorted(tables.items()):
        lines += [
            f"  {pg_digest_select(name, into='INTO zs_rows, zs_sha ')};",
            f"  IF zs_rows <> {int(expected['rows'])} OR zs_sha <> '{expected['sha256']}' THEN",
            f"    RAISE EXCEPTION 'zhaoshang-verify: [{name}]'; END IF;",
        ]
    return "\n".join([*lines, "END $zsverify$;"])


def _pg_script(work: Path, script: Path, manifest: dict[str, Any], force: bool) -> Path:
    """The psql script: one transaction that loads, checks, and commits only if all agree."""
    wrapper = work / "restore.psql"
    drop = "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n" if force else ""
    quoted = str(script).replace("'", "''")
    settings_sql = "".join(f"{statement};\n" for statement in PG_TEXT_SETTINGS)
    wrapper.write_text(
        f"\\set ON_ERROR_STOP on\nBEGIN;\n{drop}\\i '{quoted}'\n{settings_sql}"
        f"{_pg_verify_block(manifest['tables'])}\nCOMMIT;\n",
        encoding="utf-8",
    )
    return wrapper


def _restore_postgres(dump: Path, manifest: dict[str, Any], work: Path, force: bool) -> None:
    script = work / "restore.sql"
    done = run_pg_tool(
        [pg_tool("pg_restore"), "--no-owner", "--no-acl", f"--file={script}", str(dump)]
    )
    if done.returncode != 0:
        raise BackupError(_("pg_restore failed: %(error)s") % {"error": done.stderr.strip()})
    wrapper = _pg_script(work, script, manifest, force)
    done = run_pg_tool(
        [pg_tool("psql"), "-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-f", str(wrapper)]
    )
    if done.returncode == 0:
        return
    named = re.findall(r"zhaoshang-verify: \[([A-Za-z0-9_]+)\]", done.stderr)
    if named:
        raise _mismatch(named)
    raise BackupError(
        _("Loading the database failed and was rolled back: %(error)s")
        % {"error": done.stderr.strip()[-2000:]}
    )


def _stored_sha(storage: Storage, name: str) -> str:
    with storage.open(name, "rb") as handle:
        return sha256_stream(handle)[1]


def _restore_files(entries: Iterable[dict[str, Any]], found: dict[str, Any]) -> int:
    """Write each file through its field's storage under its own name; read it back."""
    written = 0
    for entry in entries:
        ref = FileRef(entry["model"], entry["field"], entry["name"])
        storage = ref.storage()
        if storage.exists(ref.name):
            if _stored_sha(storage, ref.name) == entry["sha256"]:
                continue
            storage.delete(ref.name)
        with found[entry["member"]][0].open("rb") as handle:
            saved = storage.save(ref.name, File(handle, name=ref.name))
        if saved != ref.name or _stored_sha(storage, ref.name) != entry["sha256"]:
            raise BackupError(
                _("The file %(name)s could not be written back intact.") % {"name": ref.name}
            )
        written += 1
    return written


def restore_backup(archive: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore a backup archive into the site's database and storages; its manifest.

    Refuses before writing anything: an unreadable or altered archive, another
    database vendor, a non-empty database without ``force``.
    """
    if connection.vendor not in DUMPS:
        raise BackupError(_("Backups support SQLite and PostgreSQL only."))
    with work_dir(".zs-restore-") as scratch:
        work = Path(scratch)
        found = _extract(Path(archive), work)
        manifest = _load_manifest(found)
        _check_members(manifest, found)
        _check_vendor(manifest)
        _check_empty(force)
        dump = found[manifest["database"]["member"]][0]
        if connection.vendor == "sqlite":
            _restore_sqlite(dump, manifest)
        else:
            _restore_postgres(dump, manifest, work, force)
        manifest["files_written"] = _restore_files(manifest["files"], found)
    return manifest
