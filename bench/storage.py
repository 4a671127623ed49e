"""Benchmark: a 20 MB upload saved and read through the database storage vs the local disk.

Run it from the repository root:

    .venv/bin/python bench/storage.py [--mb 20] [--repeat 3]
                                      [--postgres postgres://postgres@127.0.0.1:5432/zs_bench]

In one run it makes a temporary var dir and a database — a SQLite file, or with
``--postgres`` a database named ``zs_bench_storage_<random>`` on that server
(created, migrated and dropped again; the URL's own database is never touched)
— then times, best of ``--repeat``:

  save   ``storage.save`` of ``--mb`` MB of incompressible bytes, commit included
         (the upload page stores the file inside the job's transaction);
  read   ``local_copy`` of the stored file: through the storage API into a
         temporary file on this machine, what the import worker does first;

for ``core.storage.DatabaseStorage`` (the multi-host choice) and for Django's
``FileSystemStorage`` on the same machine (the floor: one host, no network,
the page cache). It prints each time and the ratio db / local.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def best_of(repeat: int, step: Callable[[], None]) -> float:
    """The fastest of ``repeat`` runs: a shared machine's neighbours only ever slow it down."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(storage: object, data: bytes, repeat: int) -> tuple[float, float]:
    """Seconds to save ``data`` (committed) and to copy it back to a local file."""
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.db.models import FileField
    from django.db.models.fields.files import FieldFile

    from zhaoshang.core.storage import local_copy

    names: list[str] = []

    def save() -> None:
        with transaction.atomic():
            names.append(storage.save("bench/upload.xlsx", ContentFile(data)))  # type: ignore[attr-defined]

    def read() -> None:
        field = FieldFile(None, FileField(storage=storage), names[0])  # type: ignore[arg-type]
        with local_copy(field, suffix=".xlsx") as path:
            assert path.stat().st_size == len(data)

    saved = best_of(repeat, save)
    read_time = best_of(repeat, read)
    for name in names:
        storage.delete(name)  # type: ignore[attr-defined]
    return saved, read_time


def bench_database(url: str | None) -> str:
    """Create the benchmark's database; returns its DATABASE_URL."""
    if url is None:
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='zs-bench-storage-')) / 'db.sqlite3'}"
    import psycopg

    name = f"zs_bench_storage_{secrets.token_hex(4)}"
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    assert name.startswith("zs_bench_storage_")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL URL; a database of its own is made")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="zs-bench-storage-var-"))
    url = bench_database(args.postgres)
    os.environ.update(
        DATABASE_URL=url, ZHAOSHANG_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="zhaoshang.settings"
    )
    sys.path.insert(0, str(ROOT / "src"))
    try:
        import django

        django.setup()
        from django.core.files.storage import FileSystemStorage
        from django.core.management import call_command

        from zhaoshang.core.storage import DatabaseStorage

        call_command("migrate", "core", verbosity=0)
        data = os.urandom(args.mb * 1024 * 1024)  # incompressible, like a zipped .xlsx
        db_save, db_read = measure(DatabaseStorage(), data, args.repeat)
        fs_save, fs_read = measure(FileSystemStorage(location=var / "media"), data, args.repeat)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url)

    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{args.mb} MB file, best of {args.repeat}, database storage on {engine}")
    print(f"  save  db {db_save:6.3f} s   local {fs_save:6.3f} s   ratio {db_save / fs_save:5.1f}x")
    print(f"  read  db {db_read:6.3f} s   local {fs_read:6.3f} s   ratio {db_read / fs_read:5.1f}x")
    total_db, total_fs = db_save + db_read, fs_save + fs_read
    ratio = total_db / total_fs
    print(f"  both  db {total_db:6.3f} s   local {total_fs:6.3f} s   ratio {ratio:5.1f}x")


if __name__ == "__main__":
    main()
