"""The indicator table (指标完成情况表) as Excel: the area's rows, then each child area's.

Written with ``core.xlsx.write_table`` (constant memory, formula-safe) from
the same selectors as the page, and recorded with ``core.services.export_record``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from zhaoshang.core.models import Area, User
from zhaoshang.core.services import export_record
from zhaoshang.core.xlsx import write_table

from .choices import ActualMode
from .selectors import IndicatorRow, actual_label, indicator_rows, sibling_table

SHEET = gettext_lazy("Indicator completion")
HEADERS = (
    pgettext_lazy("indicator table", "Area"),
    gettext_lazy("Area code"),
    pgettext_lazy("indicator table", "Year"),
    gettext_lazy("Indicator"),
    gettext_lazy("Unit"),
    gettext_lazy("Target"),
    gettext_lazy("Completed"),
    gettext_lazy("Completion (%)"),
    gettext_lazy("Time elapsed (%)"),
    gettext_lazy("Rank"),
    gettext_lazy("Areas ranked"),
    gettext_lazy("Entered (statistics bureau)"),
    gettext_lazy("Computed from paid-in capital"),
    gettext_lazy("Difference"),
    gettext_lazy("Actual from"),
    gettext_lazy("Made up of"),
)


def _line(area: Area, year: int, row: IndicatorRow) -> tuple[Any, ...]:
    return (
        area.name,
        area.code,
        year,
        row.name,
        row.unit,
        row.target if row.target is not None else gettext("Not set"),
        row.shown_actual,
        row.completion_pct,
        row.time_elapsed_pct,
        row.rank,
        row.of or None,
        row.shown(row.entered),
        row.shown(row.computed),
        row.shown(row.difference),
        str(ActualMode(row.mode).label) if row.mode else None,
        actual_label(area, row) or None,
    )


def table_lines(user: User, area: Area, year: int) -> Iterator[tuple[Any, ...]]:
    for row in indicator_rows(user, area=area, year=year):
        yield _line(area, year, row)
    if area.children.exists():
        for sibling in sibling_table(user, parent=area, year=year):
            for row in sibling.cells.values():
                yield _line(sibling.area, year, row)


def export_table(*, user: User, area: Area, year: int, target: str | IO[bytes]) -> int:
    sheet, headers = str(SHEET), [str(h) for h in HEADERS]
    count = write_table(target, sheet=sheet, headers=headers, rows=table_lines(user, area, year))
    export_record(
        acting_user=user,
        object_type="targets.target",
        description=f"{sheet} {area.name} {year}",
        filters={"area": area.code, "year": year},
        rows=count,
    )
    return count
