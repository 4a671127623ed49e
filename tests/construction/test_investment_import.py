"""Import of monthly investment: wide and long layouts, --year, all-or-nothing refusals with
row and column, idempotent re-import, corrections as versions, the upload page's year field."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.helpers import signed_in_client
from zhaoshang.construction.models import MonthlyInvestment
from zhaoshang.construction.services import investment as services
from zhaoshang.core.models import User
from zhaoshang.imports.models import ImportJob
from zhaoshang.projects import services as project_services
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def projects() -> list[Project]:
    staff = User.objects.get(username="yc_staff")
    made = []
    for i, name in enumerate(("导入甲项目", "导入乙项目")):
        project = project_services.project_create(
            acting_user=staff,
            area=staff.area,
            name=name,
            code=f"IMP-{i}",
            total_investment=Decimal(50000),
            event_date=dt.date(2024, 1, 2),
        )
        services.key_entry_add(
            acting_user=staff,
            project=project,
            year=YEAR,
            level="city",
            planned_investment=Decimal(3000),
        )
        made.append(project)
    return made


def workbook(path: Path, rows: list[list[Any]], *, title: str = "") -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("月报")
    start = 0
    if title:
        sheet.write(0, 0, title)
        sheet.write(1, 0, "单位：万元")
        start = 2
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(start + r, c, value)
    book.close()
    return path


WIDE_HEADER = ["序号", "项目名称", "1月（万元）", "2月", "3月份", "1-3月累计"]


def run(path: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("import", "investments", str(path), "--area", "411702", *extra, stdout=out)
    return out.getvalue()


def current(project: Project) -> dict[int, Decimal]:
    return dict(
        MonthlyInvestment.objects.filter(project=project, is_current=True).values_list(
            "month", "amount"
        )
    )


def test_it_imports_the_wide_layout_with_the_year_option(tmp_path, projects) -> None:  # type: ignore[no-untyped-def]
    rows = [
        WIDE_HEADER,
        [1, "导入甲项目", 100, "200.5", None, 300.5],
        [2, "导入乙项目", 10, 20, 30, 60],
    ]
    out = run(
        workbook(tmp_path / "wide.xlsx", rows, title="2025年重点项目月度完成投资"), "--year", "2025"
    )
    assert "5" in out  # 5 created
    assert current(projects[0]) == {1: Decimal("100"), 2: Decimal("200.5")}
    assert current(projects[1]) == {1: Decimal(10), 2: Decimal(20), 3: Decimal(30)}
    job = ImportJob.objects.latest("id")
    assert job.options == {"year": 2025} and job.created_count == 5


def test_it_imports_the_long_layout_with_a_year_column_and_yi_yuan(tmp_path, projects) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["项目编号", "项目", "年度", "月份", "完成投资（亿元）"],
        ["IMP-1", "", 2025, "4月", 0.05],
        ["", "导入甲项目", "2025年", 5, "0.1"],
    ]
    run(workbook(tmp_path / "long.xlsx", rows))
    assert current(projects[1]) == {4: Decimal("500")}
    assert current(projects[0]) == {5: Decimal("1000")}


def test_it_is_idempotent_and_turns_changes_into_versions(tmp_path, projects) -> None:  # type: ignore[no-untyped-def]
    path = workbook(tmp_path / "a.xlsx", [WIDE_HEADER, [1, "导入甲项目", 100, 200, None, None]])
    run(path, "--year", "2025")
    rows_before = MonthlyInvestment.objects.count()
    run(path, "--year", "2025")
    assert MonthlyInvestment.objects.count() == rows_before
    assert ImportJob.objects.latest("id").unchanged_count == 2
    changed = workbook(tmp_path / "b.xlsx", [WIDE_HEADER, [1, "导入甲项目", 100, 250, None, None]])
    run(changed, "--year", "2025")
    versions = MonthlyInvestment.objects.filter(project=projects[0], month=2).order_by("version")
    assert [(v.amount, v.is_current) for v in versions] == [
        (Decimal(200), False),
        (Decimal(250), True),
    ]


def test_it_refuses_the_whole_file_with_row_and_column(tmp_path, projects) -> None:  # type: ignore[no-untyped-def]
    future = timezone.localdate().year + 1
    rows = [
        ["项目名称", "年度", "1月", "2月"],
        ["导入甲项目", 2025, 100, -5],  # negative
        ["没有这个项目", 2025, 1, 1],  # unknown project
        ["导入乙项目", 2024, 1, None],  # not in the 2024 list
        ["导入乙项目", future, 1, None],  # future month
        ["导入乙项目", 2025, "abc", None],  # not a number
    ]
    path = workbook(tmp_path / "bad.xlsx", rows)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "investments", str(path), "--area", "411702", stderr=err)
    lines = err.getvalue()
    assert "第2行 [2月]" in lines and "负" in lines
    assert "第3行 [项目名称]" in lines
    assert "第4行 [项目名称]" in lines and "2024" in lines
    assert "第5行 [1月]" in lines
    assert "第6行 [1月]" in lines
    assert not MonthlyInvestment.objects.exists()


def test_it_needs_a_year_from_somewhere(tmp_path, projects) -> None:  # type: ignore[no-untyped-def]
    path = workbook(tmp_path / "noyear.xlsx", [WIDE_HEADER, [1, "导入甲项目", 1, 2, 3, 6]])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "investments", str(path), "--area", "411702", stderr=err)
    assert "年度" in err.getvalue()
    assert not MonthlyInvestment.objects.exists()


def test_it_refuses_year_for_the_project_ledger(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = workbook(tmp_path / "p.xlsx", [["项目名称", "总投资"], ["x", 1]])
    with pytest.raises(CommandError):
        call_command("import", "projects", str(path), "--area", "411702", "--year", "2025")
    assert not ImportJob.objects.exists()


def test_it_dry_runs_without_writing(tmp_path, projects) -> None:  # type: ignore[no-untyped-def]
    path = workbook(tmp_path / "d.xlsx", [WIDE_HEADER, [1, "导入甲项目", 1, 2, 3, 6]])
    run(path, "--year", "2025", "--dry-run")
    assert not MonthlyInvestment.objects.exists()


def test_it_uploads_with_a_year_field_and_offers_a_template(tmp_path, projects) -> None:  # type: ignore[no-untyped-def]
    client = signed_in_client("yc_staff")
    page = client.get("/imports/investments/")
    assert page.status_code == 200 and 'name="year"' in page.content.decode()
    path = workbook(tmp_path / "u.xlsx", [WIDE_HEADER, [1, "导入乙项目", 7, None, None, None]])
    with path.open("rb") as f:
        response = client.post(
            "/imports/investments/", {"area": "411702", "year": "2025", "file": f}
        )
    assert response.status_code == 302
    assert current(projects[1]) == {1: Decimal(7)}
    template = client.get("/imports/investments/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    assert signed_in_client("yc_viewer").get("/imports/investments/").status_code == 404


def test_it_reports_each_problem_once_under_its_own_column(tmp_path, projects) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["项目名称", "年度", "月份", "完成投资（万元）", "1月", "2月"],
        ["导入乙项目", 2024, None, None, 1, 2],  # in no 2024 list: once, not once a month
        ["导入甲项目", YEAR, "十三月", 5, None, None],  # unreadable month: not also "empty"
        ["导入甲项目", YEAR, 3, "abc", None, None],  # unreadable amount: not also "empty"
    ]
    path = workbook(tmp_path / "once.xlsx", rows)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "investments", str(path), "--area", "411702", stderr=err)
    lines = [line for line in err.getvalue().splitlines() if line.startswith("第")]
    assert len(lines) == 3, lines
    assert lines[0].startswith("第2行 [项目名称]") and "2024" in lines[0]
    assert lines[1].startswith("第3行 [月份]")
    assert lines[2].startswith("第4行 [完成投资（万元）]")
    assert not MonthlyInvestment.objects.exists()
