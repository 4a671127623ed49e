"""Jobs that cannot get lost: started_at kept, heartbeat, stale jobs failed, re-run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.imports.ledgers import EXPECTED_NAMES, ledger_bytes, upload_ledger
from zhaoshang.core.models import Area, AuditEvent, User
from zhaoshang.imports import services, tasks
from zhaoshang.imports.models import ImportJob
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INTERRUPTED = "导入中断，未写入任何数据"


def running_job(user: User, *, beat_seconds_ago: float) -> ImportJob:
    """A job whose process last beat ``beat_seconds_ago``, as a killed worker leaves it."""
    job = services.job_create(
        acting_user=user,
        area=Area.objects.get(code="411702"),
        kind="projects",
        file_name="台账.xlsx",
        upload=SimpleUploadedFile("台账.xlsx", ledger_bytes(), content_type=XLSX),
    )
    beat = timezone.now() - dt.timedelta(seconds=beat_seconds_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        status="running",
        phase="writing",
        started_at=beat - dt.timedelta(seconds=5),
        heartbeat_at=beat,
        processed_rows=6,
        total_rows=6,
    )
    return ImportJob.objects.get(pk=job.pk)


@pytest.fixture
def stale_after(settings: Any) -> int:
    settings.ZHAOSHANG_IMPORT_STALE_SECONDS = 300
    return 300


def assert_interrupted(job: ImportJob) -> None:
    job.refresh_from_db()
    assert (job.status, job.phase, job.error_count) == ("failed", "interrupted", 1)
    assert job.errors[0]["message"] == INTERRUPTED and job.finished_at is not None
    assert job.percent == 100 and job.interrupted


def test_it_records_when_a_job_started_and_does_not_overwrite_it(
    client_for: Callable[[str], Client], clusters: None
) -> None:
    before = timezone.now()
    upload_ledger(client_for("yc_staff"), ledger_bytes())

    job = ImportJob.objects.get()
    assert job.status == "succeeded"
    assert job.started_at is not None and job.finished_at is not None
    assert before <= job.created_at <= job.started_at <= job.finished_at
    assert job.heartbeat_at is not None and job.started_at <= job.heartbeat_at


def test_it_beats_with_the_progress_throttled(user_named: Callable[[str], User]) -> None:
    job = running_job(user_named("yc_staff"), beat_seconds_ago=60)
    old = job.heartbeat_at
    assert old is not None
    progress = services.JobProgress(job)

    progress(processed=10, total=100)
    beat = ImportJob.objects.get(pk=job.pk).heartbeat_at
    progress(processed=20, total=100)  # within PROGRESS_INTERVAL: nothing written

    again = ImportJob.objects.get(pk=job.pk)
    assert beat is not None and beat > old
    assert (again.processed_rows, again.heartbeat_at) == (10, beat)


def test_it_fails_a_job_whose_heartbeat_stopped_and_leaves_a_fresh_one_alone(
    user_named: Callable[[str], User], stale_after: int
) -> None:
    staff = user_named("yc_staff")
    dead = running_job(staff, beat_seconds_ago=stale_after + 60)
    alive = running_job(staff, beat_seconds_ago=stale_after - 60)
    waiting = running_job(staff, beat_seconds_ago=stale_after + 60)
    ImportJob.objects.filter(pk=waiting.pk).update(  # queued, never started: waits for a worker
        status="queued", phase="reading", started_at=None, heartbeat_at=None
    )

    failed = services.jobs_fail_stale()

    assert [job.pk for job in failed] == [dead.pk]
    assert_interrupted(dead)
    alive.refresh_from_db()
    waiting.refresh_from_db()
    assert (alive.status, alive.phase, alive.errors) == ("running", "writing", [])
    assert waiting.status == "queued"
    audit = AuditEvent.objects.get(
        object_type="imports.importjob", object_id=str(dead.pk), action="update"
    )
    assert audit.result == "failure" and audit.after == {"status": "failed", "phase": "interrupted"}
    assert services.jobs_fail_stale() == []  # already failed: judged once


def test_it_fails_a_stale_job_when_its_page_its_status_or_the_job_list_is_read(
    client_for: Callable[[str], Client], user_named: Callable[[str], User], stale_after: int
) -> None:
    client = client_for("yc_staff")
    staff = user_named("yc_staff")
    by_page, by_poll, by_list = (
        running_job(staff, beat_seconds_ago=stale_after + 1) for _ in range(3)
    )

    page = client.get(f"/imports/jobs/{by_page.pk}/").content.decode()
    status = client.get(f"/imports/jobs/{by_poll.pk}/status.json").json()
    client.get("/imports/")

    assert INTERRUPTED in page and 'data-finished="1"' in page
    assert f"/imports/jobs/{by_page.pk}/rerun/" in page
    assert (status["finished"], status["status"], status["percent"]) == (True, "failed", 100)
    for job in (by_page, by_poll, by_list):
        assert_interrupted(job)


def test_it_fails_stale_jobs_from_the_periodic_task(
    user_named: Callable[[str], User], stale_after: int
) -> None:
    staff = user_named("yc_staff")
    dead = running_job(staff, beat_seconds_ago=stale_after + 1)
    alive = running_job(staff, beat_seconds_ago=1)

    tasks.fail_stale_import_jobs.call_local()

    assert_interrupted(dead)
    alive.refresh_from_db()
    assert alive.status == "running"


def test_it_runs_an_interrupted_job_again_from_the_same_file(
    client_for: Callable[[str], Client],
    user_named: Callable[[str], User],
    clusters: None,
    stale_after: int,
) -> None:
    client = client_for("yc_staff")
    dead = running_job(user_named("yc_staff"), beat_seconds_ago=stale_after + 1)
    services.jobs_fail_stale()

    response = client.post(f"/imports/jobs/{dead.pk}/rerun/")

    rerun = ImportJob.objects.get(rerun_of=dead)
    assert response.status_code == 302 and response["Location"] == f"/imports/jobs/{rerun.pk}/"
    assert (rerun.status, rerun.created_count, rerun.error_count) == ("succeeded", 6, 0)
    assert rerun.file.name == dead.file.name and rerun.uploaded_by == dead.uploaded_by
    assert Project.objects.filter(name__in=EXPECTED_NAMES).count() == 6
    audit = AuditEvent.objects.get(
        object_type="imports.importjob", object_id=str(rerun.pk), action="create"
    )
    assert audit.after["rerun_of"] == dead.pk and audit.username == "yc_staff"

    page = client.get(f"/imports/jobs/{dead.pk}/").content.decode()
    assert f'href="/imports/jobs/{rerun.pk}/"' in page and "/rerun/" not in page
    client.post(f"/imports/jobs/{dead.pk}/rerun/")  # a second click runs nothing twice
    assert ImportJob.objects.filter(rerun_of=dead).count() == 1


def test_it_refuses_a_rerun_to_outsiders_readers_and_anyone_but_the_uploader(
    client_for: Callable[[str], Client],
    user_named: Callable[[str], User],
    stale_after: int,
) -> None:
    dead = running_job(user_named("yc_staff"), beat_seconds_ago=stale_after + 1)
    services.jobs_fail_stale()
    url = f"/imports/jobs/{dead.pk}/rerun/"

    seen = {name: client_for(name).post(url).status_code for name in ("xp_staff", "yc_viewer")}
    assert seen == {"xp_staff": 404, "yc_viewer": 404}
    assert client_for("yc_chief").post(url).status_code == 403
    with pytest.raises(ValidationError):
        services.job_rerun(acting_user=user_named("yc_viewer"), job=dead)
    with pytest.raises(PermissionDenied):
        services.job_rerun(acting_user=user_named("yc_chief"), job=dead)
    assert not ImportJob.objects.filter(rerun_of=dead).exists()
    page = client_for("yc_chief").get(f"/imports/jobs/{dead.pk}/").content.decode()
    assert url not in page  # the button is the uploader's


def test_it_runs_again_only_an_interrupted_job(
    client_for: Callable[[str], Client], user_named: Callable[[str], User], clusters: None
) -> None:
    upload_ledger(client_for("yc_staff"), ledger_bytes())
    done = ImportJob.objects.get()

    with pytest.raises(ValidationError):
        services.job_rerun(acting_user=user_named("yc_staff"), job=done)
    assert ImportJob.objects.count() == 1
