"""Backup and restore: one archive with the database, the uploaded files and a manifest.

An archive (``.tar.gz``) holds ``database.sqlite3`` (SQLite's online backup
API: a consistent copy while the site runs) or ``database.pgdump``
(``pg_dump --format=custom``), each referenced upload under ``files/NNNNNN``
(read through the storage of the FileField that names it, never by walking a
directory: files may live in the database or an S3 store), and
``manifest.json`` last: versions, vendor, time, per table its row count and
content checksum, per file its name, size and sha256.

The checksums are taken from the dump's own snapshot (the SQLite copy; on
PostgreSQL the exported snapshot ``pg_dump`` reads), so a site writing while
the backup runs cannot make the manifest disagree with the dump.

A table's checksum is the sha256 of its rows' hashes, sorted: independent of
physical order and needing no primary key. Rows are hashed the way the vendor
can recompute inside the restoring transaction (PostgreSQL: ``md5(row::text)``
under fixed text settings; SQLite: canonical JSON in Python).

Restore checks everything it can before touching anything (the dump's and every
file's sha256, the vendor, an empty target), then loads the database so that
a mismatch leaves the target untouched, and writes the files last:

- SQLite: the dump is verified as a separate file, then copied into the target
  with the backup API (one write transaction on the target, WAL-safe);
- PostgreSQL: ``pg_restore`` writes a SQL script, ``psql`` runs it in one
  transaction that ends with a check of every table's count and checksum: a
  mismatch raises, and the transaction (with ``--force``'s drop) rolls back.

The archive is written under a temporary name, fsynced and renamed, so a
killed backup never leaves a partial file under the final name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import django
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

import zhaoshang

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
FILES_DIR = "files/"
CHUNK = 1024 * 1024
#: scheduled archives: the name sorts by time, so retention keeps the last names
SCHEDULED_PREFIX = "zhaoshang-"
SCHEDULED_SUFFIX = ".tar.gz"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_MEMBER = re.compile(r"^(manifest\.json|database\.(sqlite3|pgdump)|files/[0-9]{6})$")


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the operator, in Chinese."""


@dataclass(frozen=True)
class FileRef:
    """One stored file a FileField names: the model and field say which storage holds it."""

    model: str
    field: str
    name: str

    def storage(self) -> Storage:
        field = apps.get_model(self.model)._meta.get_field(self.field)
        if not isinstance(field, models.FileField):
            raise BackupError(_("%(model)s.%(field)s is not a file field.") % self.__dict__)
        return field.storage


# --- hashing ---------------------------------------------------------------


def _sha256_stream(handle: IO[bytes], copy_to: IO[bytes] | None = None) -> tuple[int, str]:
    """Size and sha256 of a stream, optionally copying it on the way."""
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return size, digest.hexdigest()


def _sha256_file(path: Path) -> tuple[int, str]:
    with path.open("rb") as handle:
        return _sha256_stream(handle)


def _canonical(value: object) -> object:
    """A SQLite value as JSON can carry it unambiguously (bytes are not text)."""
    if isinstance(value, bytes | memoryview):
        return {"hex": bytes(value).hex()}
    return value


def _table_digest(row_hashes: list[str]) -> str:
    row_hashes.sort()
    return hashlib.sha256("".join(row_hashes).encode()).hexdigest()


def sqlite_digests(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Per table: row count and content checksum, read from a SQLite connection."""
    names = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    digests = {}
    for name in names:
        hashes = [
            hashlib.md5(  # noqa: S324 — a row fingerprint, not a security boundary
                json.dumps(
                    [_canonical(v) for v in row], ensure_ascii=False, separators=(",", ":")
                ).encode()
            ).hexdigest()
            for row in conn.execute(f'SELECT * FROM "{name}"')  # noqa: S608 — catalogue names
        ]
        digests[name] = {"rows": len(hashes), "sha256": _table_digest(hashes)}
    return digests


#: fixed text forms, so a row's ``::text`` is the same in the backup and the restore session
PG_TEXT_SETTINGS = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 1",
    "SET LOCAL bytea_output = 'hex'",
)


def _pg_digest_select(table: str, into: str = "") -> str:
    """The query giving a table's count and checksum (``into`` for PL/pgSQL)."""
    if not _IDENT.match(table):
        raise BackupError(_("Unexpected table name %(table)r in the backup.") % {"table": table})
    return (
        "SELECT count(*), encode(sha256(convert_to(coalesce("
        "string_agg(h, '' ORDER BY h), ''), 'UTF8')), 'hex') "
        f'{into}FROM (SELECT md5(t::text) AS h FROM public."{table}" AS t) AS rows'
    )


def pg_digests(cursor: Any) -> dict[str, dict[str, Any]]:
    """Per table in schema public: row count and content checksum (inside a transaction)."""
    for statement in PG_TEXT_SETTINGS:
        cursor.execute(statement)
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    digests = {}
    for (name,) in cursor.fetchall():
        cursor.execute(_pg_digest_select(name))
        rows, sha = cursor.fetchone()
        digests[name] = {"rows": int(rows), "sha256": sha}
    return digests


def _differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """The tables whose count or checksum differs, or that one side lacks."""
    names = sorted(set(expected) | set(actual))
    return [name for name in names if expected.get(name) != actual.get(name)]


# --- the files the database names ---------------------------------------------


def file_fields() -> list[tuple[str, str, str, str]]:
    """Every concrete FileField: (model label, field name, table, column)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                found.append(
                    (model._meta.label_lower, field.name, model._meta.db_table, field.column)
                )
    return found


def file_refs(cursor: Any) -> list[FileRef]:
    """The stored files the snapshot's rows name, each once (read in the dump's snapshot)."""
    refs: set[FileRef] = set()
    for label, field, table, column in file_fields():
        cursor.execute(
            f'SELECT DISTINCT "{column}" FROM "{table}" '  # noqa: S608 — model metadata
            f"WHERE \"{column}\" IS NOT NULL AND \"{column}\" <> ''"
        )
        refs.update(FileRef(label, field, name) for (name,) in cursor.fetchall())
    return sorted(refs, key=lambda ref: (ref.model, ref.field, ref.name))


# --- backup ----------------------------------------------------------------------


@dataclass
class Snapshot:
    """A dump and what was read from the same snapshot."""

    dump: Path
    tables: dict[str, dict[str, Any]]
    refs: list[FileRef]


def _work_dir(prefix: str) -> tempfile.TemporaryDirectory[str]:
    """Scratch space under the var dir (the system temp may be a small tmpfs)."""
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=prefix, dir=settings.VAR_DIR)


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if not name or ":memory:" in name or name.startswith("file:"):
        raise BackupError(_("Only a SQLite database in a file can be backed up or restored."))
    return Path(name)


def _dump_sqlite(work: Path) -> Snapshot:
    """SQLite's online backup: a consistent copy even while the site writes."""
    dump = work / DUMPS["sqlite"]
    with (
        closing(sqlite3.connect(_sqlite_path(), timeout=60)) as source,
        closing(sqlite3.connect(dump)) as copy,
    ):
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return Snapshot(dump, sqlite_digests(copy), file_refs(copy.cursor()))


def _pg_env() -> dict[str, str]:
    """libpq's environment for pg_dump/psql: the site's database, never a prompt."""
    conf = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(conf["NAME"])}
    for key, var in (("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST")):
        if conf.get(key):
            env[var] = str(conf[key])
    if conf.get("PORT"):
        env["PGPORT"] = str(conf["PORT"])
    return env


def _pg_connect() -> Any:
    import psycopg

    env = _pg_env()
    params = {
        "dbname": env["PGDATABASE"],
        "user": env.get("PGUSER"),
        "password": env.get("PGPASSWORD"),
        "host": env.get("PGHOST"),
        "port": env.get("PGPORT"),
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v})


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("The PostgreSQL client program %(name)s is not installed (apt install %(pkg)s).")
            % {"name": name, "pkg": "postgresql-client"}
        )
    return path


def _run_tool(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 — fixed programs, no shell
        args, env=_pg_env(), capture_output=True, text=True, check=False
    )


def _dump_postgres(work: Path) -> Snapshot:
    """pg_dump reads the snapshot this transaction exported, and so do the checksums."""
    import psycopg

    dump = work / DUMPS["postgresql"]
    with _pg_connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            done = _run_tool(
                [_tool("pg_dump"), "-w", "--format=custom", f"--snapshot={snapshot}",
                 f"--file={dump}"]  # fmt: skip
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


def _add_stored_file(tar: tarfile.TarFile, member: str, ref: FileRef, work: Path) -> dict | None:
    """Copy one stored file into the archive through its storage; None when it is gone."""
    storage = ref.storage()
    try:
        source = storage.open(ref.name, "rb")
    except FileNotFoundError:
        return None
    with source, tempfile.SpooledTemporaryFile(max_size=8 * CHUNK, dir=work) as spool:
        size, sha = _sha256_stream(source, copy_to=spool)
        spool.seek(0)
        info = tarfile.TarInfo(member)
        info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o600
        tar.addfile(info, spool)
    return {"member": member, **ref.__dict__, "size": size, "sha256": sha}


def _manifest(snap: Snapshot, files: list[dict], missing: list[dict]) -> dict[str, Any]:
    size, sha = _sha256_file(snap.dump)
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
    files, missing = [], []
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
    with _work_dir(".zs-backup-") as scratch:
        work = Path(scratch)
        snap = _dump_postgres(work) if connection.vendor == "postgresql" else _dump_sqlite(work)
        try:
            manifest = _write_archive(partial, snap, work)
            _publish(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


# --- restore ---------------------------------------------------------------------


def _extract(archive: Path, work: Path) -> dict[str, tuple[Path, int, str]]:
    """Unpack the archive's known members into ``work``: name → (path, size, sha256)."""
    found: dict[str, tuple[Path, int, str]] = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for info in tar:
                if not info.isfile() or not _MEMBER.match(info.name) or info.name in found:
                    raise BackupError(
                        _("The archive holds an unexpected entry %(name)s.") % {"name": info.name}
                    )
                path = work / info.name.replace("/", "_")
                source = tar.extractfile(info)
                assert source is not None
                with source, path.open("xb") as out:
                    size, sha = _sha256_stream(source, copy_to=out)
                found[info.name] = (path, size, sha)
    except (tarfile.TarError, EOFError, OSError) as exc:
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
        assert manifest["format"] == FORMAT and isinstance(manifest["tables"], dict)
        for entry in [manifest["database"], *manifest["files"]]:
            assert _HEX64.match(entry["sha256"]) and isinstance(entry["size"], int)
        for name, table in manifest["tables"].items():
            assert _IDENT.match(name) and _HEX64.match(table["sha256"])
            assert isinstance(table["rows"], int)
    except (ValueError, KeyError, TypeError, AssertionError) as exc:
        raise BackupError(_("The archive's manifest.json is damaged or of another format.")) from exc
    return manifest


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
        raise BackupError(
            _("The archive holds an unexpected entry %(name)s.") % {"name": extra[0]}
        )


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
    if connection.vendor == "sqlite" and not _sqlite_path().exists():
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
        differ = _differences(manifest["tables"], sqlite_digests(copy))
    if differ:
        raise _mismatch(differ)
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(dump)) as source,
        closing(sqlite3.connect(target, timeout=60)) as dest,
    ):
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=WAL")  # as the site opens it
        differ = _differences(manifest["tables"], sqlite_digests(dest))
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
            f"  {_pg_digest_select(name, into='INTO zs_rows, zs_sha ')};",
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
    done = _run_tool(
        [_tool("pg_restore"), "--no-owner", "--no-acl", f"--file={script}", str(dump)]
    )
    if done.returncode != 0:
        raise BackupError(_("pg_restore failed: %(error)s") % {"error": done.stderr.strip()})
    wrapper = _pg_script(work, script, manifest, force)
    done = _run_tool([_tool("psql"), "-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-f", str(wrapper)])
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
        return _sha256_stream(handle)[1]


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
    with _work_dir(".zs-restore-") as scratch:
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


# --- the scheduled backup and its retention ---------------------------------------


def scheduled_name(now: dt.datetime | None = None) -> str:
    """``zhaoshang-20261129-023000.tar.gz`` in the site's time: names sort by age."""
    return f"{SCHEDULED_PREFIX}{timezone.localtime(now):%Y%m%d-%H%M%S}{SCHEDULED_SUFFIX}"


def scheduled_archives(directory: Path) -> list[Path]:
    """The scheduled archives in ``directory``, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file()
        and path.name.startswith(SCHEDULED_PREFIX)
        and path.name.endswith(SCHEDULED_SUFFIX)
    )


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` scheduled archives; the deleted paths."""
    archives = scheduled_archives(directory)
    old = archives[: max(len(archives) - max(keep, 1), 0)]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def scheduled_backup(now: dt.datetime | None = None) -> Path:
    """The daily backup: a new archive in ``ZHAOSHANG_BACKUP_DIR``, then the retention.

    Old archives are deleted only after the new one is complete, so a failing
    backup never costs the ones before it.
    """
    directory = Path(settings.ZHAOSHANG_BACKUP_DIR)
    path = directory / scheduled_name(now)
    create_backup(path)
    prune_backups(directory, settings.ZHAOSHANG_BACKUP_KEEP)
    return path


def summary(manifest: dict[str, Any]) -> Iterator[str]:
    """The operator's lines about an archive (the commands print them)."""
    rows = sum(table["rows"] for table in manifest["tables"].values())
    yield _("%(vendor)s database, %(tables)d tables, %(rows)d rows; %(files)d files.") % {
        "vendor": VENDOR_NAMES.get(manifest["vendor"], manifest["vendor"]),
        "tables": len(manifest["tables"]),
        "rows": rows,
        "files": len(manifest["files"]),
    }
    for entry in manifest.get("missing_files", []):
        yield _("Missing from storage, not in the archive: %(name)s") % {"name": entry["name"]}
