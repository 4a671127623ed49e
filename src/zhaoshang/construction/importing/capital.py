"""Import of paid-in capital (到位资金) from Excel, all or nothing.

``zhaoshang import capital FILE.xlsx --area CODE --year Y`` (or the upload
page). One row per project and month: 项目编号 or 项目名称 (matched within the
area), 年度 (optional, else ``--year``), 月份, 外资到位（万美元）, 市外资金到位（万元）
(亿元 / 美元 headers are converted). A blank amount is 0. Every row gets the
checks of ``construction.services.capital.capital_report``: no future month,
no negative amount, the project must have signed. A file with any error
writes nothing. Re-importing the same file changes nothing; different amounts
become a correction (a new version, the old one kept). A dry run reports the
counts and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from zhaoshang.core.models import Area, User
from zhaoshang.core.policy import import_refusal
from zhaoshang.imports.cells import CellError, shown, to_decimal, to_name
from zhaoshang.imports.choices import JobPhase
from zhaoshang.imports.kinds import ImportOutcome, Progress, Template
from zhaoshang.imports.reading import UNIT_FAMILIES, ColumnSpec, SheetTable, TableSpec, open_tables
from zhaoshang.imports.safety import ImportFileError
from zhaoshang.projects.models import Project

from ..services.capital import CapitalRow, capitals_record, may_receive, unsigned_message
from ..services.investment import month_errors
from . import FOUR, _month, _name_key, _year, write_all

SPEC = TableSpec(
    columns=(
        ColumnSpec("name", ("项目名称", "项目", "项目名")),
        ColumnSpec("code", ("项目编号", "编号", "项目代码")),
        ColumnSpec("year", ("年度", "年份", "年")),
        ColumnSpec("month", ("月份", "月", "到位月份", "填报月份")),
        ColumnSpec(
            "foreign_capital",
            ("外资到位", "外资到位资金", "到位外资", "实际利用外资", "外资"),
            units="usd",
        ),
        ColumnSpec(
            "out_of_city_capital",
            ("市外资金到位", "到位市外资金", "市外资金", "引进市外资金", "市外到位资金"),
            units="cny",
        ),
    ),
    required=("name", "month"),
    ignored=("序号", "备注", "建设单位", "责任单位", "项目阶段", "合计"),
)
AMOUNTS = ("foreign_capital", "out_of_city_capital")
HEADERS = ("外资到位（万美元）", "市外资金到位（万元）")


@dataclass
class _Context:
    area: Area
    outcome: ImportOutcome
    year: int | None
    by_code: dict[str, Project]
    by_name: dict[str, list[Project]]
    seen: dict[tuple[int, int, int], int]  # (project, year, month) → first row number


def _context(area: Area, outcome: ImportOutcome, year: int | None) -> _Context:
    by_code: dict[str, Project] = {}
    by_name: dict[str, list[Project]] = {}
    for project in Project.objects.filter(area=area).only(
        "pk", "code", "name", "stage", "contract_date", "area_id"
    ):
        if project.code:
            by_code[project.code] = project
        by_name.setdefault(_name_key(project.name), []).append(project)
    return _Context(area, outcome, year, by_code, by_name, {})


class _Sheet:
    """Reads one sheet's rows into capital rows, reporting every bad cell by its header."""

    def __init__(self, ctx: _Context, table: SheetTable) -> None:
        self.ctx = ctx
        self.table = table
        self.cols = table.columns

    def header(self, key: str) -> str:
        found = self.cols.get(key)
        return found.header if found else SPEC.column(key).title

    def error(self, number: int, key: str, message: str, value: Any = None) -> None:
        self.ctx.outcome.errors.add(
            number, self.header(key), message, value=value, sheet=self.table.sheet
        )

    def cell(self, cells: list[Any], key: str) -> Any:
        found = self.cols.get(key)
        if found is None or found.index >= len(cells):
            return None
        return cells[found.index]

    def amount(self, number: int, cells: list[Any], key: str) -> Decimal | None:
        raw = self.cell(cells, key)
        found = self.cols.get(key)
        family = UNIT_FAMILIES[SPEC.column(key).units]
        try:
            value = to_decimal(raw, units=family)
        except CellError as exc:
            self.error(number, key, str(exc), shown(raw))
            return None
        value = Decimal(0) if value is None else value * (found.factor if found else 1)
        if value < 0:
            self.error(number, key, _("The amount cannot be negative."), shown(raw))
            return None
        return value.quantize(FOUR)

    def project(self, number: int, cells: list[Any]) -> Project | None:
        code = to_name(self.cell(cells, "code"))
        name = to_name(self.cell(cells, "name"))
        if code and code in self.ctx.by_code:
            return self.ctx.by_code[code]
        candidates = self.ctx.by_name.get(_name_key(name), []) if name else []
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            message = _("%(n)d projects of this area are called “%(name)s”; fill in 项目编号.") % {
                "n": len(candidates),
                "name": name,
            }
        elif not (code or name):
            message = _("The project name is empty.")
        else:
            message = _("No project “%(name)s” in %(area)s.") % {
                "name": name or code,
                "area": self.ctx.area.name,
            }
        self.error(number, "code" if code and not name else "name", message, name or code)
        return None

    def read(self, number: int, cells: list[Any]) -> CapitalRow | None:
        project = self.project(number, cells)
        when = self.when(number, cells)
        amounts = {key: self.amount(number, cells, key) for key in AMOUNTS}
        if project is None or when is None or None in amounts.values():
            return None
        if not may_receive(project):
            self.error(number, "name", unsigned_message(project), project.name)
            return None
        year, month = when
        slot = (project.pk, year, month)
        if slot in self.ctx.seen:
            self.error(
                number,
                "month",
                _("This project's %(year)s-%(month)02d is already in row %(row)d.")
                % {"year": year, "month": month, "row": self.ctx.seen[slot]},
            )
            return None
        self.ctx.seen[slot] = number
        return CapitalRow(
            project.pk,
            project.area_id,
            year,
            month,
            amounts["foreign_capital"] or Decimal(0),
            amounts["out_of_city_capital"] or Decimal(0),
        )

    def when(self, number: int, cells: list[Any]) -> tuple[int, int] | None:
        try:
            year = _year(self.cell(cells, "year")) or self.ctx.year
        except CellError as exc:
            self.error(number, "year", str(exc), shown(self.cell(cells, "year")))
            return None
        try:
            month = _month(self.cell(cells, "month"))
        except CellError as exc:
            self.error(number, "month", str(exc), shown(self.cell(cells, "month")))
            return None
        if year is None:
            self.error(number, "year", _("No year: add a 年度 column or give the year (--year)."))
            return None
        if not month:
            self.error(number, "month", _("The month is empty."))
            return None
        problems = month_errors(year, month)
        if problems:
            field = next(iter(problems))
            self.error(number, field, problems[field])
            return None
        return year, month


def import_capital(
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
    """Import 到位资金 into ``area``; nothing is written unless every row is good."""
    outcome = ImportOutcome()
    refusal = import_refusal(acting_user, area)
    if refusal:
        outcome.errors.file_error(refusal)
        return outcome
    ctx = _context(area, outcome, year)
    rows: list[CapitalRow] = []
    seen = 0
    try:
        for table in open_tables(Path(path), SPEC):
            if not any(key in table.columns for key in AMOUNTS):
                outcome.errors.file_error(
                    _("Sheet “%(sheet)s” has no 外资到位 and no 市外资金到位 column.")
                    % {"sheet": table.sheet}
                )
                continue
            reader = _Sheet(ctx, table)
            for number, cells, _section in table.data_rows():
                seen += 1
                if seen % 500 == 0:
                    progress(processed=seen, total=max(estimate, seen))
                row = reader.read(number, cells)
                if row is not None:
                    rows.append(row)
    except ImportFileError as exc:
        outcome.errors.file_error(str(exc))
        return outcome
    outcome.total_rows = seen
    if outcome.errors:
        return outcome
    progress(processed=seen, total=seen, phase=JobPhase.WRITING)
    note = _("Imported from %(file)s") % {"file": file_name or Path(path).name}
    return write_all(
        outcome, capitals_record, acting_user=acting_user, rows=rows, note=note, dry_run=dry_run
    )


def template() -> Template:
    return Template(
        file_name="paid-in-capital-template.xlsx",
        sheet="到位资金",
        headers=["项目编号", "项目名称", "年度", "月份", *HEADERS],
        examples=[
            ["", "示例：某某年产10万吨项目（导入时跳过以“示例”开头的行）", 2026, 3, 120, 3500]
        ],
        help=[
            (
                _("Layout"),
                _("One row per project and month: 项目名称, 月份, %(columns)s.")
                % {"columns": ", ".join(HEADERS)},
            ),
            (
                "项目编号/项目名称",
                _("Matched among the area's projects; projects sharing a name need 项目编号."),
            ),
            ("年度", _("May be left out: the year given for the import (--year) is used.")),
            (
                _("Rules"),
                _(
                    "No future months, no negative amounts (a blank is 0); the project must "
                    "have signed (签约 or later)."
                ),
            ),
            (
                _("Corrections"),
                _(
                    "Different amounts become a new version and the old one stays in the "
                    "history; the same amounts change nothing."
                ),
            ),
        ],
    )
