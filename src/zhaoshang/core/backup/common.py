"""What backup and restore share: the manifest's checksums, the files the database
names, the PostgreSQL client tools, and the operator's summary."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
FILES_DIR = "files/"
CHUNK = 1024 * 1024
#: scheduled archives: the name sorts by time, so retention keeps the last names
SCHEDULED_PREFIX = "zhaoshang-"
SCHEDULED_SUFFIX = ".tar.gz"
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
MEMBER = re.compile(r"^(manifest\.json|database\.(sqlite3|pgdump)|files/[0-9]{6})$")


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


def sha256_stream(handle: IO[bytes], copy_to: IO[bytes] | None = None) -> tuple[int, str]:
    """Size and sha256 of a stream, optionally copying it on the way."""
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return size, digest.hexdigest()


def sha256_file(path: Path) -> tuple[int, str]:
    with path.open("rb") as handle:
        return sha256_stream(handle)


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
        # repr of SQLite's five types (int, float, str, bytes, None) is exact and fast;
        # md5 fingerprints rows, the archive's integrity is the sha256s
        hashes = [
            hashlib.md5(repr(row).encode("utf-8", "surrogatepass")).hexdigest()  # noqa: S324
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


def pg_digest_select(table: str, into: str = "") -> str:
    """The query giving a table's count and checksum (``into`` for PL/pgSQL)."""
    if not IDENT.match(table):
        raise BackupError(_("Unexpected table name %(table)r in the backup.") % {"table": table})
    return (
        "SELECT count(*), encode(sha256(convert_to(coalesce("  # noqa: S608 — checked name
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
        cursor.execute(pg_digest_select(name))
        rows, sha = cursor.fetchone()
        digests[name] = {"rows": int(rows), "sha256": sha}
    return digests


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
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
            f'WHERE "{column}" IS NOT NULL AND "{column}" <> \'\''
        )
        refs.update(FileRef(label, field, name) for (name,) in cursor.fetchall())
    return sorted(refs, key=lambda ref: (ref.model, ref.field, ref.name))


def work_dir(prefix: str) -> tempfile.TemporaryDirectory[str]:
    """Scratch space under the var dir (the system temp may be a small tmpfs)."""
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=prefix, dir=settings.VAR_DIR)


def sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if not name or ":memory:" in name or name.startswith("file:"):
        raise BackupError(_("Only a SQLite database in a file can be backed up or restored."))
    return Path(name)


def pg_env() -> dict[str, str]:
    """libpq's environment for pg_dump/psql: the site's database, never a prompt."""
    conf = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(conf["NAME"])}
    for key, var in (("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST")):
        if conf.get(key):
            env[var] = str(conf[key])
    if conf.get("PORT"):
        env["PGPORT"] = str(conf["PORT"])
    return env


def pg_connect() -> Any:
    """A psycopg connection of its own (the backup's snapshot transaction is not Django's)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    env = pg_env()
    params = {
        "dbname": env["PGDATABASE"],
        "user": env.get("PGUSER"),
        "password": env.get("PGPASSWORD"),
        "host": env.get("PGHOST"),
        "port": env.get("PGPORT"),
    }
    return psycopg.connect(make_conninfo("", **{k: v for k, v in params.items() if v}))


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("The PostgreSQL client program %(name)s is not installed (apt install %(pkg)s).")
            % {"name": name, "pkg": "postgresql-client"}
        )
    return path


def run_pg_tool(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 — fixed programs, no shell
        args, env=pg_env(), capture_output=True, text=True, check=False
    )


def made_at(manifest: dict[str, Any]) -> str:
    """When the archive was made, in the site's time: 2026-11-29 02:30."""
    at = dt.datetime.fromisoformat(manifest["created_at"])
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


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
