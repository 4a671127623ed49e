"""Backup and restore (issue 13 §2): the restore drill of docs/operations.md, run for real.

The commands run in subprocesses on databases of their own (a SQLite file in
tmp_path; on PostgreSQL, databases named ``zs_backup_test_<random>`` created and
dropped here, skipped when 127.0.0.1:5432 does not answer): pytest-django's
in-memory database cannot be copied by SQLite's backup API. What "identical"
means is read by a separate script (every table's rows, every file's bytes
through its field's storage), not by the backup module's own checksums.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import textwrap
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from zhaoshang.core import backup, tasks
from zhaoshang.core.backup import schedule

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from zhaoshang.cli import main; main()"]
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"

#: unused (the processes have databases of their own), but the session's test database
#: is only set up for a run holding a database test, and tests/core's fixtures need it
pytestmark = pytest.mark.django_db

#: a small district: an area, a user, audit rows (append-only table), three uploads
SEED = """
import django; django.setup()
from django.core.files.base import ContentFile
from django.utils import timezone
from zhaoshang.core.models import AuditEvent
from zhaoshang.imports.models import ImportJob
from tests.factories import CountyFactory, UserFactory

area = CountyFactory()
user = UserFactory(area=area, username="bk_staff")
for index, payload in enumerate([b"ledger one", bytes(range(256)) * 400, "台账".encode()]):
    job = ImportJob(area=area, kind="projects", uploaded_by=user, file_name=f"台账{index}.xlsx")
    job.file.save(f"ledger{index}.xlsx", ContentFile(payload), save=False)
    job.save()
for n in range(3):
    AuditEvent.objects.create(at=timezone.now(), user=user, username=user.username,
                              area=area, action="create", object_repr=f"备份测试 {n}")
"""

#: a row written after the restore: what --force must take away again
CHANGE = """
import django; django.setup()
from django.utils import timezone
from zhaoshang.core.models import AuditEvent
AuditEvent.objects.create(at=timezone.now(), action="create", object_repr="备份之后")
"""

#: every table's rows (sorted) and every FileField's file (sha256 through its storage)
STATE = """
import hashlib, json
import django; django.setup()
from django.apps import apps
from django.db import connection, models
tables = {}
with connection.cursor() as cursor:
    for name in connection.introspection.table_names(cursor):
        cursor.execute(f'SELECT * FROM "{name}"')
        tables[name] = sorted(repr(row) for row in cursor.fetchall())
files = {}
for model in apps.get_models():
    for field in model._meta.concrete_fields:
        if isinstance(field, models.FileField):
            for value in model.objects.exclude(**{field.name: ""}).values_list(field.name,
                                                                             flat=True):
                with field.storage.open(value, "rb") as handle:
                    files[value] = hashlib.sha256(handle.read()).hexdigest()
print(json.dumps({"tables": tables, "files": files}))
"""


def env_for(tmp: Path, database_url: str) -> dict[str, str]:
    """A process's environment: its own database and its own var dir (media included)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "ZHAOSHANG_VAR_DIR": str(tmp),
        "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
        "ZHAOSHANG_HUEY_IMMEDIATE": "false",
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def ok(env: dict[str, str], *args: str) -> str:
    done = run(env, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def python(env: dict[str, str], script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def state(env: dict[str, str]) -> dict[str, Any]:
    return json.loads(python(env, STATE))


def sqlite_env(var: Path) -> dict[str, str]:
    return env_for(var, f"sqlite:///{var / 'zs.sqlite3'}")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path, dict]:
    """A migrated, seeded SQLite site, its backup archive, and its state."""
    var = tmp_path_factory.mktemp("source")
    env = sqlite_env(var)
    ok(env, "migrate", "-v0")
    python(env, SEED)
    archive = var / "out" / "zs.tar.gz"
    ok(env, "backup", str(archive))
    return env, archive, state(env)


@pytest.fixture
def fresh(tmp_path: Path) -> dict[str, str]:
    """An empty site: no database file yet, an empty media directory."""
    return sqlite_env(tmp_path / "fresh")


def rewrite(archive: Path, out: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """The same archive, members in the same order, with ``change`` applied to each."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for info in src:
            handle = src.extractfile(info)
            assert handle is not None
            data = change(info.name, handle.read())
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def flip_byte(name: str, prefix: str) -> Callable[[str, bytes], bytes]:
    def change(member: str, data: bytes) -> bytes:
        if not member.startswith(prefix):
            return data
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]

    return change


def edit_manifest(edit: Callable[[dict], None]) -> Callable[[str, bytes], bytes]:
    def change(member: str, data: bytes) -> bytes:
        if member != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return change


def nothing_written(env: dict[str, str]) -> None:
    var = Path(env["ZHAOSHANG_VAR_DIR"])
    database = var / "zs.sqlite3"
    if database.exists():
        with closing(sqlite3.connect(database)) as conn:
            assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    media = var / "media"
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


# --- SQLite -----------------------------------------------------------------------


def test_sqlite_round_trip_gives_back_every_row_and_file(source, fresh) -> None:
    _env, archive, before = source
    assert len(before["files"]) == 3 and len(before["tables"]["core_auditevent"]) >= 3
    ok(fresh, "restore", str(archive))
    assert state(fresh) == before


def test_the_manifest_lists_counts_checksums_and_files(source) -> None:
    _env, archive, before = source
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        handle = tar.extractfile(backup.MANIFEST)
        assert handle is not None
        manifest = json.load(handle)
    assert names[0] == "database.sqlite3" and names[-1] == backup.MANIFEST
    assert manifest["vendor"] == "sqlite" and manifest["app_version"]
    assert {name: t["rows"] for name, t in manifest["tables"].items()} == {
        name: len(rows) for name, rows in before["tables"].items()
    }
    assert sorted(f["name"] for f in manifest["files"]) == sorted(before["files"])
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == before["files"]


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(source, fresh) -> None:
    _env, archive, before = source
    ok(fresh, "restore", str(archive))
    python(fresh, CHANGE)
    changed = state(fresh)
    assert changed != before
    refused = run(fresh, "restore", str(archive))
    assert refused.returncode != 0 and "--force" in refused.stderr
    assert state(fresh) == changed
    ok(fresh, "restore", "--force", str(archive))
    assert state(fresh) == before


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(flip_byte("dump", "database."), id="one byte of the dump"),
        pytest.param(flip_byte("file", "files/"), id="one byte of a file"),
        pytest.param(
            edit_manifest(lambda m: m["tables"]["core_auditevent"].update(rows=2)),
            id="a row count in the manifest",
        ),
        pytest.param(
            edit_manifest(lambda m: m["tables"]["core_area"].update(sha256="0" * 64)),
            id="a table checksum in the manifest",
        ),
        pytest.param(
            edit_manifest(lambda m: m["files"][0].update(size=m["files"][0]["size"] + 1)),
            id="a file's size in the manifest",
        ),
        pytest.param(
            edit_manifest(lambda m: m["files"][0].update(name="../../outside.txt")),
            id="a file's name leaving the storage",
        ),
    ],
)
def test_a_tampered_archive_is_refused_and_nothing_is_written(
    source, fresh, tmp_path: Path, change
) -> None:
    _env, archive, _before = source
    tampered = rewrite(archive, tmp_path / "tampered.tar.gz", change)
    refused = run(fresh, "restore", str(tampered))
    assert refused.returncode != 0
    assert "CommandError" in refused.stderr and "Traceback" not in refused.stderr
    nothing_written(fresh)


def test_a_truncated_archive_is_refused_and_nothing_is_written(
    source, fresh, tmp_path: Path
) -> None:
    _env, archive, _before = source
    data = archive.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    refused = run(fresh, "restore", str(cut))
    assert refused.returncode != 0
    assert "CommandError" in refused.stderr and "Traceback" not in refused.stderr
    nothing_written(fresh)


def test_a_backup_of_the_other_vendor_is_refused(source, fresh, tmp_path: Path) -> None:
    _env, archive, _before = source
    other = rewrite(
        archive, tmp_path / "pg.tar.gz", edit_manifest(lambda m: m.update(vendor="postgresql"))
    )
    refused = run(fresh, "restore", str(other))
    assert refused.returncode != 0 and "PostgreSQL" in refused.stderr
    nothing_written(fresh)


KILLED = """
import sys, time
import django; django.setup()
from pathlib import Path
from zhaoshang.core.backup import create

def stuck(partial, target):
    print("READY", partial, flush=True)
    time.sleep(120)

create._publish = stuck
create.create_backup(Path(sys.argv[1]))
"""


def test_a_backup_killed_before_it_finishes_leaves_no_archive_under_its_name(source) -> None:
    env, archive, _before = source
    target = archive.parent / "killed.tar.gz"
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILLED), str(target)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("READY"), line
    partial = Path(line.split()[1])
    assert partial.exists() and partial.stat().st_size > 0  # the archive was all written …
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert not target.exists()  # … and never reached its name


# --- the schedule and retention (no database) ------------------------------------


def test_retention_keeps_the_newest_and_leaves_other_files(tmp_path: Path) -> None:
    names = [f"zhaoshang-202611{day:02d}-023000.tar.gz" for day in range(1, 6)]
    for name in [*names, "mine.tar.gz", ".zhaoshang-20261106-023000.tar.gz.partial-1"]:
        (tmp_path / name).write_bytes(b"x")
    deleted = backup.prune_backups(tmp_path, keep=2)
    assert [p.name for p in deleted] == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*names[3:], "mine.tar.gz", ".zhaoshang-20261106-023000.tar.gz.partial-1"]
    )


def test_a_failed_backup_deletes_no_old_archive(tmp_path: Path, monkeypatch, settings) -> None:
    settings.ZHAOSHANG_BACKUP_DIR = tmp_path
    settings.ZHAOSHANG_BACKUP_KEEP = 1
    for day in (1, 2):
        (tmp_path / f"zhaoshang-202611{day:02d}-023000.tar.gz").write_bytes(b"x")

    def broken(target: Path) -> dict:
        raise backup.BackupError("disk full")

    monkeypatch.setattr(schedule, "create_backup", broken)
    with pytest.raises(backup.BackupError):
        backup.scheduled_backup()
    assert len(backup.scheduled_archives(tmp_path)) == 2


def test_the_daily_backup_runs_at_its_hour_in_shanghai(settings) -> None:
    import datetime as dt

    settings.ZHAOSHANG_BACKUP_HOUR = 2
    at_0230_shanghai = dt.datetime(2026, 11, 28, 18, 30, tzinfo=dt.UTC)
    assert tasks.backup_due(at_0230_shanghai)
    assert not tasks.backup_due(at_0230_shanghai + dt.timedelta(hours=1))
    settings.ZHAOSHANG_BACKUP_KEEP = 0
    assert not tasks.backup_due(at_0230_shanghai)


def test_the_daily_backup_task_writes_one_archive_a_day(monkeypatch) -> None:
    from django.core.cache import cache

    written: list[Path] = []
    monkeypatch.setattr(tasks, "backup_due", lambda now=None: True)
    monkeypatch.setattr(tasks, "scheduled_backup", lambda: written.append(Path("a")) or written[-1])
    cache.clear()
    tasks.daily_backup.call_local()
    tasks.daily_backup.call_local()  # a second worker's scheduler, the same day
    assert written == [Path("a")]
    cache.clear()


def test_the_scheduled_name_sorts_by_time_in_shanghai() -> None:
    import datetime as dt

    at = dt.datetime(2026, 11, 28, 18, 30, 5, tzinfo=dt.UTC)
    assert backup.scheduled_name(at) == "zhaoshang-20261129-023005.tar.gz"


# --- PostgreSQL -------------------------------------------------------------------


def _pg_available() -> bool:
    if shutil.which("pg_dump") is None or shutil.which("psql") is None:
        return False
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture(scope="module")
def pg_databases() -> Iterator[Callable[[], str]]:
    """Make databases named zs_backup_test_<random>; drop them all at the end."""
    if not _pg_available():
        pytest.skip("PostgreSQL at 127.0.0.1:5432 does not answer")
    import psycopg

    made: list[str] = []

    def make() -> str:
        name = f"zs_backup_test_{secrets.token_hex(4)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"postgres://postgres@127.0.0.1:5432/{name}"

    yield make
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for name in made:
            assert name.startswith("zs_backup_test_")
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_table_count(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        assert row is not None
        return int(row[0])


def test_postgresql_round_trip_and_a_tampered_manifest_rolls_back(
    pg_databases, tmp_path: Path
) -> None:
    source = env_for(tmp_path / "pg-source", pg_databases())
    ok(source, "migrate", "-v0")
    python(source, SEED)
    before = state(source)
    archive = tmp_path / "pg.tar.gz"
    ok(source, "backup", str(archive))

    # checked inside the loading transaction: the checksum is wrong, the load rolls back
    target_url = pg_databases()
    target = env_for(tmp_path / "pg-target", target_url)
    tampered = rewrite(
        archive,
        tmp_path / "tampered.tar.gz",
        edit_manifest(lambda m: m["tables"]["core_auditevent"].update(sha256="0" * 64)),
    )
    refused = run(target, "restore", str(tampered))
    assert refused.returncode != 0 and "core_auditevent" in refused.stderr
    assert pg_table_count(target_url) == 0
    nothing_written(target)

    ok(target, "restore", str(archive))
    ok(target, "restore", "--force", str(archive))  # drop and load, in one transaction
    assert state(target) == before

    sqlite_site = sqlite_env(tmp_path / "sqlite")
    refused = run(sqlite_site, "restore", str(archive))
    assert refused.returncode != 0 and "PostgreSQL" in refused.stderr
