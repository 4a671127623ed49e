"""``zhaoshang import projects FILE --area CODE``: output, exit codes, error report, audit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext
from python_calamine import CalamineWorkbook

from tests.imports.ledgers import BUILDING_ROWS, EXPECTED_NAMES, messy_ledger
from zhaoshang.core.models import AuditEvent
from zhaoshang.imports.models import ImportJob
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


def bad_ledger(path: Path) -> Path:
    bad = [list(row) for row in BUILDING_ROWS]
    bad[0][10] = "2025-13-45"
    bad[1][4] = "氢能源"
    messy_ledger(path, building=bad)
    return path


def test_it_imports_from_the_command_line_and_prints_a_summary(
    tmp_path: Path, clusters: None
) -> None:
    out = io.StringIO()
    ledger = messy_ledger(tmp_path / "台账.xlsx")

    call_command(
        "import", "projects", str(ledger), "--area", "411702", "--user", "yc_staff", stdout=out
    )

    assert Project.objects.filter(name__in=EXPECTED_NAMES).count() == 6
    job = ImportJob.objects.get()
    assert (job.status, job.created_count, job.uploaded_by.username) == ("succeeded", 6, "yc_staff")
    with translation.override("zh-hans"):
        summary = gettext(
            "%(area)s: %(rows)d rows read; %(created)d created, %(updated)d updated, "
            "%(unchanged)d unchanged."
        ) % {"area": "驿城区", "rows": 6, "created": 6, "updated": 0, "unchanged": 0}
    assert summary in out.getvalue()
    assert (
        AuditEvent.objects.filter(object_type="imports.importjob", username="yc_staff").count() == 2
    )


def test_it_prints_every_error_exits_1_and_writes_the_report_next_to_the_file(
    tmp_path: Path, clusters: None
) -> None:
    err = io.StringIO()
    ledger = bad_ledger(tmp_path / "台账.xlsx")

    with pytest.raises(CommandError) as caught:
        call_command("import", "projects", str(ledger), "--area", "411702", stderr=err)

    assert caught.value.returncode == 1
    lines = err.getvalue().splitlines()
    with translation.override("zh-hans"):
        assert lines[0].startswith(gettext("Row %(row)d") % {"row": 10} + " [时间节点/签约时间] ")
        assert lines[1].startswith(gettext("Row %(row)d") % {"row": 11} + " [所属产业集群] ")
    assert len(lines) == 2
    report = tmp_path / "台账-errors.xlsx"
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert [row[1] for row in rows[1:]] == [10.0, 11.0]
    assert not Project.objects.filter(name__in=EXPECTED_NAMES).exists()
    assert ImportJob.objects.get().status == "failed"


def test_it_writes_the_report_where_asked_and_exits_1_from_the_shell_entry(
    tmp_path: Path, clusters: None, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = bad_ledger(tmp_path / "台账.xlsx")
    report = tmp_path / "reports" / "errors.xlsx"
    report.parent.mkdir()

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(
            ["zhaoshang", "import", "projects", str(ledger), "--area", "411702",
             "--report", str(report)]
        ).execute()  # fmt: skip

    assert exited.value.code == 1
    assert report.exists() and str(report) in capsys.readouterr().err


def test_it_exits_0_on_a_dry_run_and_writes_nothing(tmp_path: Path, clusters: None) -> None:
    out = io.StringIO()
    call_command(
        "import", "projects", str(messy_ledger(tmp_path / "l.xlsx")), "--area", "411702",
        "--dry-run", stdout=out,
    )  # fmt: skip
    assert not Project.objects.filter(name__in=EXPECTED_NAMES).exists()
    with translation.override("zh-hans"):
        assert gettext("Dry run: nothing was saved.") in out.getvalue()


def test_it_refuses_a_user_who_may_not_import_or_see_the_area(tmp_path: Path) -> None:
    ledger = messy_ledger(tmp_path / "l.xlsx")
    for username in ("yc_viewer", "xp_staff"):
        with pytest.raises(CommandError):
            call_command("import", "projects", str(ledger), "--area", "411702", "--user", username)
    with pytest.raises(CommandError):
        call_command("import", "projects", str(ledger), "--area", "999999")
    assert not ImportJob.objects.exists()


def test_it_refuses_a_zip_bomb_from_the_command_line(tmp_path: Path) -> None:
    from tests.imports.ledgers import zip_bomb

    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import", "projects", str(zip_bomb(tmp_path / "bomb.xlsx")), "--area", "411702",
            stderr=err,
        )  # fmt: skip
    assert caught.value.returncode == 1
    assert "xl/worksheets/sheet1.xml" in err.getvalue()
