"""Import pages: upload, template, job progress and result, error report, scoping."""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from python_calamine import CalamineWorkbook

from tests.helpers import assert_visibility
from tests.imports.ledgers import BUILDING_ROWS, EXPECTED_NAMES, messy_ledger
from zhaoshang.core.models import AuditEvent
from zhaoshang.imports.models import ImportJob
from zhaoshang.projects.ledger import LEDGER_COLUMNS
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_file(name: str = "台账.xlsx", **rows: Any) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    messy_ledger(buffer, **rows)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def upload(client: Client, file: SimpleUploadedFile, **data: Any) -> Any:
    return client.post("/imports/projects/", {"area": "411702", "file": file, **data})


def failed_job(client: Client) -> ImportJob:
    bad = [list(row) for row in BUILDING_ROWS]
    bad[0][10] = "2025-13-45"
    upload(client, ledger_file(building=bad))
    return ImportJob.objects.get()


def test_it_imports_an_uploaded_ledger_inline_and_shows_the_result(
    client_for: Callable[[str], Client], clusters: None
) -> None:
    client = client_for("yc_staff")

    response = upload(client, ledger_file())

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/jobs/{job.pk}/"
    assert (job.status, job.created_count, job.total_rows, job.error_count) == (
        "succeeded",
        6,
        6,
        0,
    )
    assert job.uploaded_by.username == "yc_staff" and job.area.code == "411702"
    assert job.file_name == "台账.xlsx" and job.file.name.startswith("imports/")
    assert Project.objects.filter(name__in=EXPECTED_NAMES).count() == 6
    audits = AuditEvent.objects.filter(object_type="imports.importjob", object_id=str(job.pk))
    assert sorted(audits.values_list("action", flat=True)) == ["create", "update"]
    assert audits.get(action="update").after["created"] == 6

    page = client.get(response["Location"]).content.decode()
    assert 'data-finished="1"' in page and "js/import-progress.js" in page
    assert '<span class="num">6</span>' in page


def test_it_checks_without_saving_on_a_dry_run(
    client_for: Callable[[str], Client], clusters: None
) -> None:
    upload(client_for("yc_staff"), ledger_file(), dry_run="on")

    job = ImportJob.objects.get()
    assert job.dry_run and job.status == "succeeded" and job.created_count == 6
    assert not Project.objects.filter(name__in=EXPECTED_NAMES).exists()


def test_it_refuses_a_file_that_is_not_a_workbook_and_creates_no_job(
    client_for: Callable[[str], Client],
) -> None:
    fake = SimpleUploadedFile("台账.xlsx", "项目名称,总投资\n甲,1\n".encode(), content_type=XLSX)

    response = upload(client_for("yc_staff"), fake)

    assert response.status_code == 400
    with translation.override("zh-hans"):
        message = gettext(
            "The file is not an Excel workbook (.xlsx); its content does not match its name. "
            "Save the ledger as .xlsx in Excel or WPS and import that file."
        )
    assert html.escape(message) in response.content.decode()
    assert not ImportJob.objects.exists()


def test_it_lists_row_errors_and_serves_the_error_report(
    client_for: Callable[[str], Client], clusters: None
) -> None:
    client = client_for("yc_staff")
    job = failed_job(client)

    assert (job.status, job.error_count, job.created_count) == ("failed", 1, 0)
    assert not Project.objects.filter(name__in=EXPECTED_NAMES).exists()
    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "[时间节点/签约时间]" in page and f"/imports/jobs/{job.pk}/errors.xlsx" in page

    report = client.get(f"/imports/jobs/{job.pk}/errors.xlsx")
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    content = b"".join(report.streaming_content)  # type: ignore[attr-defined]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[1][1:4] == [10.0, "时间节点/签约时间", "2025-13-45"]
    assert AuditEvent.objects.filter(action="export", object_type="imports.importjob").exists()


def test_it_answers_404_for_a_job_of_another_area_or_to_non_importers(
    client_for: Callable[[str], Client], clusters: None
) -> None:
    job = failed_job(client_for("yc_staff"))
    importers = {"yc_chief": 200, "yc_admin": 200, "yc_subchief": 200, "zmd_city": 200}
    readers = {"yc_viewer": 404, "yc_supervisor": 404, "yc_investor": 404, "yc_leader": 404}
    for url in (
        f"/imports/jobs/{job.pk}/",
        f"/imports/jobs/{job.pk}/status.json",
        f"/imports/jobs/{job.pk}/errors.xlsx",
    ):
        assert_visibility(url, owner="yc_staff", outsider="xp_staff", others=importers | readers)


def test_it_keeps_non_importers_off_the_upload_and_template_pages() -> None:
    for url in ("/imports/", "/imports/projects/", "/imports/projects/template.xlsx"):
        assert_visibility(
            url,
            owner="yc_staff",
            outsider="yc_viewer",
            others={"xp_staff": 200, "yc_supervisor": 404, "yc_investor": 404},
        )


def test_it_does_not_let_a_user_import_into_an_area_they_cannot_see(
    client_for: Callable[[str], Client],
) -> None:
    response = upload(client_for("xp_staff"), ledger_file())

    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_it_offers_only_visible_areas_in_the_form(client_for: Callable[[str], Client]) -> None:
    page = client_for("yc_staff").get("/imports/projects/").content.decode()
    assert 'value="411702"' in page and 'value="411702500"' in page
    assert 'value="411721"' not in page


def test_it_serves_a_template_with_the_ledger_headers_and_an_example(
    client_for: Callable[[str], Client],
) -> None:
    response = client_for("yc_staff").get("/imports/projects/template.xlsx")

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0] == [column.header for column in LEDGER_COLUMNS]
    assert str(rows[1][1]).startswith("示例")
    assert len(book.sheet_names) == 2


def test_it_answers_the_job_page_in_a_fixed_number_of_queries(
    client_for: Callable[[str], Client],
    clusters: None,
    django_assert_num_queries: Any,
) -> None:
    """Session, user (with area, unit and roles), the job with its area and uploader, alerts."""
    client = client_for("yc_staff")
    job = failed_job(client)
    many = [list(row) for row in BUILDING_ROWS]
    many[0][10] = many[1][10] = many[0][6] = "坏值"
    upload(client, ledger_file(building=many))
    worse = ImportJob.objects.exclude(pk=job.pk).get()
    assert worse.error_count == 3
    for each in (job, worse):
        with django_assert_num_queries(4):
            response = client.get(f"/imports/jobs/{each.pk}/")
        assert response.status_code == 200


def test_it_queues_a_large_file_and_reports_progress_until_done(
    client_for: Callable[[str], Client],
    clusters: None,
    settings: Any,
    huey_inline: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.ZHAOSHANG_IMPORT_INLINE_ROWS = 5
    client = client_for("yc_staff")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, ledger_file())
    job = ImportJob.objects.get()
    status_url = f"/imports/jobs/{job.pk}/status.json"

    assert job.status == "queued" and len(callbacks) == 1
    assert client.get(status_url).json()["finished"] is False
    page = client.get(response["Location"]).content.decode()
    assert f'data-status-url="{status_url}"' in page and 'data-finished="0"' in page
    assert "<script>" not in page  # the CSP allows no inline script

    callbacks[0]()  # the commit happens: huey runs the task

    status = client.get(status_url).json()
    assert status["finished"] is True and status["status"] == "succeeded"
    assert (status["percent"], status["created"], status["total"]) == (100, 6, 6)
    assert Project.objects.filter(name__in=EXPECTED_NAMES).count() == 6
