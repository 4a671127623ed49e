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
under fixed text settings; SQLite: the row's ``repr`` in Python).

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

from .common import MANIFEST, BackupError, made_at, summary
from .create import create_backup
from .restore import restore_backup
from .schedule import prune_backups, scheduled_archives, scheduled_backup, scheduled_name

__all__ = [
    "MANIFEST",
    "BackupError",
    "create_backup",
    "made_at",
    "prune_backups",
    "restore_backup",
    "scheduled_archives",
    "scheduled_backup",
    "scheduled_name",
    "summary",
]
