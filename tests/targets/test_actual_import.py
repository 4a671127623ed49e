"""Import of monthly actuals: a good file writes every cell; one bad cell writes nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from zhaoshang.core.models import AuditEvent
from zhaoshang.imports.kinds import no_progress
from zhaoshang.targets.importing import import_actuals, template
from zhaoshang.targets.models import Actual

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "指标", "区划代码", "年度", *[f"{n}月" for n in range(1, 13)]]


def workbook(tmp_path: Path, rows: list[list[Any]], headers: list[str] = HEADERS) -> Path:
    path = tmp_path / "actuals.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("月度完成数")
    sheet.write_row(0, 0, ["驿城区2014年主要指标月度完成情况"])
    sheet.write_row(1, 0, headers)
    for i, row in enumerate(rows, start=2):
        sheet.write_row(i, 0, row)
    book.close()
    return path


def run(path: Path, area, user, **kwargs: Any):  # type: ignore[no-untyped-def]
    return import_actuals(
        path=path, area=area, acting_user=user, dry_run=False, progress=no_progress, **kwargs
    )


def written() -> tuple[int, int]:
    return Actual.objects.count(), AuditEvent.objects.count()


def test_it_imports_a_years_months_and_reimports_without_change(tmp_path, yicheng, user_named):
    staff = user_named("yc_staff")
    path = workbook(
        tmp_path,
        [
            [1, "进出口总额", "", 2014, *[1000] * 11, 4280],
            [2, "fdi", "411702", "2014年", 300.5, 400, "", "", "", "", "", "", "", "", "", ""],
            [3, "引进市外资金", "411702500", 2014, 1.25],
        ],
    )
    outcome = run(path, yicheng, staff)
    assert outcome.ok, outcome.errors.lines()
    assert (outcome.created, outcome.updated, outcome.unchanged) == (15, 0, 0)
    total = sum(
        Actual.objects.filter(area=yicheng, indicator_id="import_export").values_list(
            "value", flat=True
        )
    )
    assert total == Decimal("15280")
    assert Actual.objects.get(area__code="411702500").value == Decimal("1.25")
    before = written()
    again = run(path, yicheng, staff)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 15)
    assert written() == before


def test_it_takes_the_imports_year_when_the_file_has_none(tmp_path, yicheng, user_named):
    headers = ["指标", *[f"{n}月" for n in range(1, 13)]]
    path = workbook(tmp_path, [["实际利用外资", 10, 20]], headers)
    outcome = run(path, yicheng, user_named("yc_staff"), year=2015)
    assert outcome.ok, outcome.errors.lines()
    assert list(Actual.objects.values_list("year", "month", "value")) == [
        (2015, 1, Decimal("10")),
        (2015, 2, Decimal("20")),
    ]


def test_it_writes_nothing_when_any_cell_is_wrong(tmp_path, yicheng, user_named):
    path = workbook(
        tmp_path,
        [
            [1, "进出口总额", "", 2014, 100, 200],
            [2, "重点项目完成投资", "", 2014, 5],
            [3, "实际利用外资", "", 2099, 5],
            [4, "实际利用外资", "", 2014, -5],
            [5, "不存在的指标", "", 2014, 1],
            [6, "引进市外资金", "411721", 2014, 1],
            [7, "进出口总额", "", 2014, "abc"],
            [8, "进出口总额", "", 2014, 1],
        ],
    )
    before = written()
    outcome = run(path, yicheng, user_named("yc_staff"))
    assert not outcome.ok
    lines = "\n".join(outcome.errors.lines())
    for text in ["自动计算", "尚未到来", "不能为负", "第4行", "第7行", "第8行", "第9行", "第10行"]:
        assert text in lines, lines
    assert written() == before


def test_it_refuses_a_reader_and_an_invisible_area(tmp_path, yicheng, xiping, user_named):
    path = workbook(tmp_path, [[1, "进出口总额", "", 2014, 100]])
    assert not run(path, yicheng, user_named("yc_viewer")).ok
    assert not run(path, xiping, user_named("yc_staff")).ok
    assert not Actual.objects.exists()


def test_it_offers_a_template_of_the_manual_indicators():
    made = template()
    assert made.headers[:3] == ["指标", "区划代码", "年度"]
    assert [row[0] for row in made.examples] == ["进出口总额", "实际利用外资", "引进市外资金"]
