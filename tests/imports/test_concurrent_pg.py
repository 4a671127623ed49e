"""Two ledger imports into one district at once on PostgreSQL: both succeed, no deadlock.

Under load two imports into one district failed on PostgreSQL: a ``deadlock
detected`` in the rollup recount, or the import's own count check counting
the other import's rows. The importer now locks the district's areas first
(``projects.importing.writing``), so the second import waits for the first to
commit. The imports run in a child process (``concurrent_imports``) on a
database of the test's own, since the test database's transaction would keep
each thread from seeing what the other committed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.imports.concurrent_imports import NEW_ROWS, SHARED_ROWS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db  # only for the connection's settings: the child uses its own database
def test_two_imports_into_one_district_at_once_both_succeed(
    tmp_path: Path, own_database: str
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's; SQLite writers take turns")
    env = {
        **os.environ,
        "DATABASE_URL": own_database,
        "ZHAOSHANG_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
        "ZHAOSHANG_HUEY_IMMEDIATE": "false",
    }

    def child(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
        )

    migrated = child("-c", "from zhaoshang.cli import main; main()", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    ran = child("-m", "tests.imports.concurrent_imports", str(tmp_path))
    assert ran.returncode == 0, ran.stderr
    assert "deadlock detected" not in ran.stdout + ran.stderr
    result = json.loads(ran.stdout.splitlines()[-1])

    assert result["imports"] == [{"created": NEW_ROWS, "errors": []}] * 2
    assert result["projects"] == {"A": NEW_ROWS, "B": NEW_ROWS, "S": SHARED_ROWS}
    assert result["in_zone"] == {"A": NEW_ROWS // 2, "B": NEW_ROWS // 2}
    assert result["events"] == 2 * NEW_ROWS  # each new project's first stage event
    assert result["rollups_match"] and result["rollup_rows"] > 0
