"""Import of paid-in capital (到位资金): happy path with units, all-or-nothing refusals with row
and column, idempotent re-import, corrections as versions, dry run, the upload page."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.construction.test_capital import make_project
from tests.helpers import signed_in_client
from zhaoshang.construction.models import PaidInCapital
from zhaoshang.core.models import AuditEvent
from zhaoshang.imports.models import ImportJob
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db
YEAR = 2025
HEADER = ["项目编号", "项目名称", "年度", "月份", "外资到位（万美元）", "市外资金到位（亿元）"]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def projects() -> list[Project]:
    return [make_project(name="导入甲项目"), make_project(name="导入乙项目")]


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("到位资金")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def run(path: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("import", "capital", str(path), "--area", "411702", *extra, stdout=out)
    return out.getvalue()


def refused(path: Path) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "capital", str(path), "--area", "411702", stderr=err)
    return err.getvalue()


def current(project: Project) -> dict[int, tuple[Decimal, Decimal]]:
    rows = PaidInCapital.objects.filter(project=project, is_current=True)
    return {r.month: (r.foreign_capital, r.out_of_city_capital) for r in rows}


def test_it_imports_rows_converting_yi_yuan_to_wan_yuan(tmp_path, projects):
    rows = [
        HEADER,
        ["", "导入甲项目", YEAR, "3月", 120, 0.35],
        ["", "导入乙项目", None, 4, None, 1],
    ]
    out = run(workbook(tmp_path / "a.xlsx", rows), "--year", str(YEAR))
    assert "2" in out
    assert current(projects[0]) == {3: (Decimal(120), Decimal(3500))}
    assert current(projects[1]) == {4: (Decimal(0), Decimal(10000))}  # a blank amount is 0
    assert AuditEvent.objects.filter(object_type="construction.paidincapital").count() == 2
    assert ImportJob.objects.latest("id").created_count == 2


def test_it_is_idempotent_and_turns_changes_into_versions(tmp_path, projects):
    path = workbook(tmp_path / "a.xlsx", [HEADER, ["", "导入甲项目", YEAR, 3, 120, 0.35]])
    run(path)
    run(path)
    assert PaidInCapital.objects.count() == 1
    assert ImportJob.objects.latest("id").unchanged_count == 1
    run(workbook(tmp_path / "b.xlsx", [HEADER, ["", "导入甲项目", YEAR, 3, 100, 0.35]]))
    versions = PaidInCapital.objects.filter(project=projects[0]).order_by("version")
    assert [(v.foreign_capital, v.is_current) for v in versions] == [
        (Decimal(120), False),
        (Decimal(100), True),
    ]


def test_it_refuses_the_whole_file_with_row_and_column(tmp_path, projects):
    unsigned = make_project(name="未签约导入项目", signed=False)
    future = timezone.localdate().year + 1
    rows = [
        HEADER,
        ["", "导入甲项目", YEAR, 1, 10, 0.1],  # good, but not written: the file has errors
        ["", "导入甲项目", YEAR, 2, -5, 0.1],  # negative
        ["", "没有这个项目", YEAR, 2, 1, 1],  # unknown project
        ["", unsigned.name, YEAR, 2, 1, 1],  # not signed
        ["", "导入乙项目", future, 1, 1, 1],  # future month
        ["", "导入乙项目", YEAR, "十三月", 1, 1],  # not a month
        ["", "导入乙项目", YEAR, 5, "abc", 1],  # not a number
        ["", "导入甲项目", YEAR, 1, 10, 0.1],  # the same month twice
    ]
    lines = refused(workbook(tmp_path / "bad.xlsx", rows))
    assert "第3行 [外资到位（万美元）]" in lines and "负" in lines
    assert "第4行 [项目名称]" in lines
    assert "第5行 [项目名称]" in lines
    assert "第6行 [月份]" in lines
    assert "第7行 [月份]" in lines
    assert "第8行 [外资到位（万美元）]" in lines
    assert "第9行 [月份]" in lines
    assert not PaidInCapital.objects.exists()


def test_it_dry_runs_without_writing(tmp_path, projects):
    run(workbook(tmp_path / "d.xlsx", [HEADER, ["", "导入甲项目", YEAR, 3, 1, 1]]), "--dry-run")
    assert not PaidInCapital.objects.exists()


def test_it_uploads_offers_a_template_and_hides_it_from_readers(tmp_path, projects):
    client = signed_in_client("yc_staff")
    page = client.get("/imports/capital/")
    assert page.status_code == 200 and 'name="year"' in page.content.decode()
    path = workbook(tmp_path / "u.xlsx", [HEADER, ["", "导入乙项目", YEAR, 6, 7, None]])
    with path.open("rb") as f:
        response = client.post("/imports/capital/", {"area": "411702", "file": f})
    assert response.status_code == 302
    assert current(projects[1]) == {6: (Decimal(7), Decimal(0))}
    template = client.get("/imports/capital/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    assert signed_in_client("yc_viewer").get("/imports/capital/").status_code == 404


def test_it_cannot_import_into_another_county(tmp_path, projects):
    path = workbook(tmp_path / "x.xlsx", [HEADER, ["", "导入甲项目", YEAR, 3, 1, 1]])
    with path.open("rb") as f:
        response = signed_in_client("xp_staff").post(
            "/imports/capital/", {"area": "411702", "file": f}
        )
    assert response.status_code in (200, 400, 404)
    assert not PaidInCapital.objects.exists()
