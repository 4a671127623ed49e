"""Import of monthly actuals of the manual indicators (月度完成数) from Excel, all or nothing.

Layout: one row per indicator (and area), month columns 1月 … 12月, each cell
the month's own figure in the indicator's unit (进出口总额 and 实际利用外资 in
万美元, 引进市外资金 in 亿元). Columns: 指标 (name or code, required), 区划代码
(optional: the import's area when blank; an area below it is allowed), 年度
(optional: else the ``year`` given to the import). A blank cell leaves that
month as it is.

Every cell gets the checks of ``targets.services.actual_set``: a manual
indicator only, no future month, not negative, an area the importer may see.
A file with any error writes nothing; re-importing the same file changes
nothing (an unchanged figure is not rewritten or audited again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core.models import Area, User
from zhaoshang.core.policy import Capability, can, import_refusal
from zhaoshang.imports.cells import CellError, shown, to_decimal, to_text
from zhaoshang.imports.choices import JobPhase
from zhaoshang.imports.kinds import ImportOutcome, Progress, Template
from zhaoshang.imports.reading import ColumnSpec, SheetTable, TableSpec, open_tables
from zhaoshang.imports.safety import ImportFileError

from . import services
from .choices import Source
from .models import Actual, Indicator

CHINESE_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
FOUR = Decimal("0.0001")


def _month_headers(n: int) -> tuple[str, ...]:
    words = (f"{n}月", f"{n:02d}月", CHINESE_MONTHS[n - 1] + "月")
    return tuple(f"{w}{tail}" for w in words for tail in ("", "份", "完成", "份完成"))


SPEC = TableSpec(
    columns=(
        ColumnSpec("indicator", ("指标", "指标名称", "考核指标", "指标代码")),
        ColumnSpec("area", ("区划代码", "行政区划代码", "区域代码", "地区代码")),
        ColumnSpec("year", ("年度", "年份", "年")),
        *(ColumnSpec(f"m{n}", _month_headers(n)) for n in range(1, 13)),
    ),
    required=("indicator",),
    ignored=("序号", "排序", "序", "备注", "单位", "计量单位", "区域", "地区", "合计", "累计"),
)


@dataclass
class _Context:
    area: Area
    year: int | None
    outcome: ImportOutcome
    indicators: dict[str, Indicator]
    areas: dict[str, Area]
    cells: dict[tuple[int, int, int, str], tuple[int, Decimal]] = field(default_factory=dict)


def _context(area: Area, outcome: ImportOutcome, year: int | None) -> _Context:
    indicators: dict[str, Indicator] = {}
    for ind in Indicator.objects.filter(active=True):
        indicators[ind.code] = indicators[ind.name] = ind
    below = Area.objects.filter(path__startswith=area.path)
    return _Context(
        area=area,
        year=year,
        outcome=outcome,
        indicators=indicators,
        areas={a.code: a for a in below},
    )


def _year(value: Any) -> int | None:
    text = to_text(value).removesuffix("年").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}(\.0+)?", text):
        raise CellError(_("“%(value)s” is not a year.") % {"value": shown(value)})
    return int(float(text))


class _Sheet:
    """Reads one sheet's rows into ``ctx.cells`` (area, year, month, code) → (row, value)."""

    def __init__(self, ctx: _Context, table: SheetTable) -> None:
        self.ctx, self.table = ctx, table
        self.errors = ctx.outcome.errors

    def _cell(self, cells: list[Any], key: str) -> Any:
        column = self.table.columns.get(key)
        return cells[column.index] if column and column.index < len(cells) else None

    def _error(self, number: int, key: str, message: str, value: Any = "") -> None:
        column = self.table.columns.get(key)
        header = column.header if column else ""
        self.errors.add(number, header, message, value=shown(value), sheet=self.table.sheet)

    def read(self, number: int, cells: list[Any]) -> None:
        raw = to_text(self._cell(cells, "indicator")).strip()
        indicator = self.ctx.indicators.get(raw)
        if indicator is None:
            self._error(number, "indicator", _("Unknown indicator."), raw)
            return
        area = self._area(number, cells)
        try:
            year = _year(self._cell(cells, "year")) or self.ctx.year
        except CellError as exc:
            self._error(number, "year", str(exc), self._cell(cells, "year"))
            return
        if year is None:
            self._error(
                number, "year", _("The year is missing (a 年度 column or the import's year).")
            )
            return
        if area is None:
            return
        for month in range(1, 13):
            self._month(number, cells, area, year, month, indicator)

    def _area(self, number: int, cells: list[Any]) -> Area | None:
        code = to_text(self._cell(cells, "area")).strip().removesuffix(".0")
        if not code:
            return self.ctx.area
        area = self.ctx.areas.get(code)
        if area is None:
            self._error(
                number,
                "area",
                _("Not %(area)s or an area below it.") % {"area": self.ctx.area.name},
                code,
            )
        return area

    def _month(
        self, number: int, cells: list[Any], area: Area, year: int, month: int, ind: Indicator
    ) -> None:
        key = f"m{month}"
        raw = self._cell(cells, key)
        try:
            value = to_decimal(raw)
        except CellError as exc:
            self._error(number, key, str(exc), raw)
            return
        if value is None:
            return
        problems = services.actual_errors(indicator=ind, year=year, month=month)
        if value < 0:
            problems["value"] = _("The value cannot be negative.")
        if value != value.quantize(FOUR):
            problems["value"] = _("At most 4 decimal places.")
        slot = (area.pk, year, month, ind.code)
        if slot in self.ctx.cells:
            problems["row"] = _("The same month is also given in row %(row)d.") % {
                "row": self.ctx.cells[slot][0]
            }
        for message in problems.values():
            self._error(number, key, message, raw)
        if not problems:
            self.ctx.cells[slot] = (number, value)


def import_actuals(
    *,
    path: Path,
    area: Area,
    acting_user: User | None,
    dry_run: bool,
    progress: Progress,
    file_name: str = "",
    estimate: int = 0,
    year: int | None = None,
) -> ImportOutcome:
    """Import monthly figures into ``area`` (and below); nothing is written unless all are good."""
    outcome = ImportOutcome()
    refusal = import_refusal(acting_user, area)
    if refusal:
        outcome.errors.file_error(refusal)
        return outcome
    if acting_user is not None and not can(acting_user, Capability.WRITE):
        outcome.errors.file_error(_("Your role may read targets but not enter actuals."))
        return outcome
    ctx = _context(area, outcome, year)
    seen = 0
    try:
        for table in open_tables(Path(path), SPEC):
            reader = _Sheet(ctx, table)
            for number, cells, _section in table.data_rows():
                seen += 1
                reader.read(number, cells)
    except ImportFileError as exc:
        outcome.errors.file_error(str(exc))
        return outcome
    outcome.total_rows = seen
    progress(processed=seen, total=max(seen, estimate))
    if outcome.errors:
        return outcome
    progress(processed=seen, total=seen, phase=JobPhase.WRITING)
    with transaction.atomic():
        _write(ctx, outcome, acting_user)
        if dry_run:
            transaction.set_rollback(True)
    return outcome


def _write(ctx: _Context, outcome: ImportOutcome, acting_user: User | None) -> None:
    """Each changed cell through ``actual_set`` (audited); unchanged ones are only counted."""
    by_pk = {a.pk: a for a in ctx.areas.values()}
    existing = {
        (a, y, m, c): v
        for a, y, m, c, v in Actual.objects.filter(
            area_id__in=list(by_pk), year__in={slot[1] for slot in ctx.cells}
        ).values_list("area_id", "year", "month", "indicator_id", "value")
    }
    for slot, (_row, value) in ctx.cells.items():
        before = existing.get(slot)
        if before == value:
            outcome.unchanged += 1
            continue
        area_pk, year, month, code = slot
        services.actual_set(
            acting_user=acting_user,
            area=by_pk[area_pk],
            year=year,
            month=month,
            indicator=ctx.indicators[code],
            value=value,
        )
        if before is None:
            outcome.created += 1
        else:
            outcome.updated += 1


def template() -> Template:
    months = [f"{n}月" for n in range(1, 13)]
    manual = Indicator.objects.filter(active=True, source=Source.MANUAL).order_by("sort")
    return Template(
        file_name="monthly-actuals-template.xlsx",
        sheet="月度完成数",
        headers=["指标", "区划代码", "年度", *months],
        examples=[[ind.name, "", 2026, *[""] * 12] for ind in manual],
        help=[
            (
                "指标",
                _(
                    "Indicator name or code; only the manually reported indicators can be "
                    "imported (进出口总额, 实际利用外资, 引进市外资金)."
                ),
            ),
            (
                "区划代码",
                _(
                    "May be left out: the import's area is used; the code of an area below it "
                    "is allowed too."
                ),
            ),
            ("年度", _("May be left out: the year given for the import is used.")),
            (
                "1月…12月",
                _(
                    "The month's own figure (not year to date), in the indicator's unit; "
                    "a blank cell changes nothing."
                ),
            ),
            (
                _("Rules"),
                _(
                    "No future months, no negative figures; if any cell is wrong, nothing in "
                    "the file is imported."
                ),
            ),
        ],
    )
