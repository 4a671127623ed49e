"""Imports with no shared disk: the upload stored in the database, read back by the worker.

With ``DatabaseStorage`` a file has no path; before the storage API was used
throughout, a queued job opened ``job.file.path`` and could not run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.imports.ledgers import (
    BUILDING_ROWS,
    EXPECTED_NAMES,
    ledger_bytes,
    messy_ledger,
    upload_ledger,
)
from zhaoshang.core.models import StoredFile, User
from zhaoshang.imports import services
from zhaoshang.imports.models import ImportJob
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def db_storage(settings: Any, media_root: Path) -> Path:
    """Uploads in the database; the media directory must stay untouched."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "zhaoshang.core.storage.DatabaseStorage"},
    }
    return media_root


def test_it_runs_a_queued_import_from_the_stored_file(
    client_for: Callable[[str], Client],
    clusters: None,
    settings: Any,
    huey_inline: None,
    django_capture_on_commit_callbacks: Any,
    db_storage: Path,
) -> None:
    settings.ZHAOSHANG_IMPORT_INLINE_ROWS = 10  # 18 rows: the worker's job

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload_ledger(client_for("yc_staff"), ledger_bytes())
    job = ImportJob.objects.get()
    assert job.status == "queued" and StoredFile.objects.filter(name=job.file.name).exists()
    callbacks[0]()

    job.refresh_from_db()
    assert (job.status, job.created_count, job.error_count) == ("succeeded", 6, 0)
    assert Project.objects.filter(name__in=EXPECTED_NAMES).count() == 6
    assert not db_storage.exists()  # nothing written to this machine's disk


def test_it_stores_the_error_report_and_serves_it_to_the_uploader_only(
    client_for: Callable[[str], Client], clusters: None, tmp_path: Path
) -> None:
    bad = [list(row) for row in BUILDING_ROWS]
    bad[0][10] = "2025-13-45"
    path = tmp_path / "bad.xlsx"
    messy_ledger(path, building=bad)
    client = client_for("yc_staff")
    upload_ledger(client, path.read_bytes())

    job = ImportJob.objects.get()
    assert job.status == "failed" and not Project.objects.filter(name__in=EXPECTED_NAMES)
    assert StoredFile.objects.filter(name=job.error_report.name).exists()
    response = client.get(f"/imports/jobs/{job.pk}/errors.xlsx")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert client_for("xp_staff").get(f"/imports/jobs/{job.pk}/errors.xlsx").status_code == 404


def test_it_reruns_an_interrupted_job_from_the_stored_file(
    client_for: Callable[[str], Client],
    user_named: Callable[[str], User],
    clusters: None,
    settings: Any,
) -> None:
    settings.ZHAOSHANG_IMPORT_STALE_SECONDS = 300
    from tests.imports.test_jobs import running_job

    dead = running_job(user_named("yc_staff"), beat_seconds_ago=301)
    services.jobs_fail_stale()

    client_for("yc_staff").post(f"/imports/jobs/{dead.pk}/rerun/")

    rerun = ImportJob.objects.get(rerun_of=dead)
    assert (rerun.status, rerun.created_count) == ("succeeded", 6)
    assert rerun.file.name == dead.file.name and StoredFile.objects.count() == 1


def test_it_fails_a_job_whose_stored_file_is_gone_with_a_message(
    user_named: Callable[[str], User], clusters: None
) -> None:
    from tests.imports.test_jobs import running_job

    job = running_job(user_named("yc_staff"), beat_seconds_ago=0)
    StoredFile.objects.all().delete()

    outcome = services.job_run(job=job)

    job.refresh_from_db()
    assert job.status == "failed" and not outcome.ok
    assert job.errors[0]["message"] == "上传的文件已不在服务器上。"
    assert services.stored_runs_inline(job) is False
