"""The var dir is made when a process starts, never when settings are imported.

Settings only name paths (``settings.var_dir`` says which). Importing them must
not write anything: a mistyped ``ZHAOSHANG_VAR_DIR`` would leave directories
behind, and a read-only ``import`` (a linter, ``check``) would need write access.
So whoever is about to use the disk makes what it needs:

- the ``zhaoshang`` command and the WSGI application call :func:`prepare`
  before Django loads (the SQLite database's directory, the var dir, the
  directory ``collectstatic`` fills and whitenoise serves);
- the SQLite job queue, which djhuey opens as soon as Django loads in *any*
  process (a test run, a bench script), makes its own file's directory
  (:class:`SqliteHuey`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import huey
from huey.storage import SqliteStorage as HueySqliteStorage


def directories() -> list[Path]:
    """The directories the configured settings need to exist."""
    from django.conf import settings

    wanted = [Path(settings.VAR_DIR), Path(settings.STATIC_ROOT)]
    for database in settings.DATABASES.values():
        name, engine = str(database.get("NAME") or ""), str(database.get("ENGINE") or "")
        if engine.endswith("sqlite3") and name and ":memory:" not in name:
            wanted.append(Path(name).parent)
    return wanted


def prepare() -> None:
    """Create :func:`directories` (an unusable setting raises ImproperlyConfigured)."""
    for path in directories():
        path.mkdir(parents=True, exist_ok=True)


class SqliteStorage(HueySqliteStorage):
    """huey's SQLite storage, creating its file's directory on first connection."""

    filename: str

    def _create_connection(self) -> sqlite3.Connection:
        Path(self.filename).parent.mkdir(parents=True, exist_ok=True)
        return super()._create_connection()  # type: ignore[no-any-return]


class SqliteHuey(huey.SqliteHuey):
    """``huey.SqliteHuey`` on :class:`SqliteStorage` (settings name it in ``HUEY``)."""

    storage_class = SqliteStorage
