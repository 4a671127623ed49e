"""Import of monthly investment reports (月度完成投资) from Excel, all or nothing.

``zhaoshang import investments FILE.xlsx --area CODE --year Y`` (or the upload
page). The file is read with the shared machinery of ``zhaoshang.imports``
(header finding, unit suffixes, totals and notes rows, cell coercion). Two
layouts are understood, even mixed across sheets:

* wide: one row per project with month columns 1月 … 12月 (“1月（万元）”,
  “3月份”, “3月完成投资” and a 亿元 unit are fine);
* long: one row per project-month with 月份 and 完成投资（万元）.

A row names its project by 项目编号 or 项目名称 (matched within the area); 年度
is optional (else ``--year``). Every report gets the checks of
``construction.services.investment.investment_report``: no future month, no
negative amount, the project must be in a key list of that year. A file with
any error writes nothing. Re-importing the same file changes nothing; a
different amount becomes a correction (a new version, the old one kept).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core.models import Area, User
from zhaoshang.core.policy import import_refusal
from zhaoshang.imports.cells import CellError, shown, to_decimal, to_name
from zhaoshang.imports.choices import JobPhase
from zhaoshang.imports.kinds import ImportOutcome, Progress, Template
from zhaoshang.imports.reading import UNIT_FAMILIES, ColumnSpec, SheetTable, TableSpec, open_tables
from zhaoshang.imports.safety import ImportFileError
from zhaoshang.projects.models import Project

from ..models import KeyProjectEntry
from ..services.investment import (
    ReportRow,
    investments_record,
    month_errors,
    not_listed_message,
)

CHINESE_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")


def _month_headers(n: int) -> tuple[str, ...]:
    words = (f"{n}月", f"{n:02d}月", CHINESE_MONTHS[n - 1] + "月")
    return tuple(
        f"{w}{tail}" for w in words for tail in ("", "份", "完成投资", "份完成投资", "完成")
    )


SPEC = TableSpec(
    columns=(
        ColumnSpec("name", ("项目名称", "项目", "重点项目名称", "项目名")),
        ColumnSpec("code", ("项目编号", "编号", "项目代码")),
        ColumnSpec("year", ("年度", "年份", "年")),
        ColumnSpec("month", ("月份", "月", "填报月份", "报告月份")),
        ColumnSpec(
            "amount",
            ("完成投资", "当月完成投资", "本月完成投资", "月度完成投资", "完成投资额", "投资额"),
            units="cny",
        ),
        *(ColumnSpec(f"m{n}", _month_headers(n), units="cny") for n in range(1, 13)),
    ),
    required=("name",),
    ignored=(
        "序号",
        "编号序号",
        "排序",
        "序",
        "备注",
        "清单级别",
        "级别",
        "年度计划投资",
        "计划投资",
        "累计完成投资",
        "累计完成",
        "完成率",
        "建设单位",
        "责任单位",
        *(f"1-{n}月" for n in range(1, 13)),
        *(f"1-{n}月累计" for n in range(1, 13)),
    ),
)
MONTH_WORD = re.compile(r"^\s*(\d{4}\s*[-./年]\s*)?(\d{1,2})\s*月?份?\s*$")


@dataclass
class _Context:
    area: Area
    outcome: ImportOutcome
    year: int | None
    by_code: dict[str, int]
    by_name: dict[str, list[int]]
    listed: set[tuple[int, int]]  # (project id, year) with a key-list entry
    seen: dict[tuple[int, int, int], int]  # (project, year, month) → first row number


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", name)


def _context(area: Area, outcome: ImportOutcome, year: int | None) -> _Context:
    by_code: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for pk, code, name in Project.objects.filter(area=area).values_list("pk", "code", "name"):
        if code:
            by_code[code] = pk
        by_name.setdefault(_name_key(name), []).append(pk)
    listed = set(KeyProjectEntry.objects.filter(area=area).values_list("project_id", "year"))
    return _Context(area, outcome, year, by_code, by_name, listed, {})


def _month(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    if hasattr(value, "month"):  # a date cell: 2026-03-01 means March
        return int(value.month)
    match = MONTH_WORD.match(str(value))
    if not match:
        raise CellError(_("“%(value)s” is not a month (1–12).") % {"value": shown(value)})
    return int(match.group(2))


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    text = shown(value).rstrip("年").strip()
    if not text.isdigit():
        raise CellError(_("“%(value)s” is not a year.") % {"value": shown(value)})
    return int(text)


class _Sheet:
    """Reads one sheet's rows into report rows, reporting every bad cell."""

    def __init__(self, ctx: _Context, table: SheetTable) -> None:
        self.ctx = ctx
        self.table = table
        self.errors = ctx.outcome.errors
        self.cols = table.columns
        self.amount_readers: dict[str, Callable[[Any], Decimal | None]] = {}
        self.unlisted: set[int] = set()  # rows already told their project is in no list
        for key, found in table.columns.items():
            if key == "amount" or key.startswith("m"):
                family = UNIT_FAMILIES["cny"]
                factor = found.factor
                self.amount_readers[key] = _amount_reader(family, factor)

    def header(self, key: str) -> str:
        found = self.cols.get(key)
        return found.header if found else SPEC.column(key).title

    def cell(self, cells: list[Any], key: str) -> Any:
        found = self.cols.get(key)
        if found is None or found.index >= len(cells):
            return None
        return cells[found.index]

    def read(self, number: int, cells: list[Any]) -> list[ReportRow]:
        project_id = self._project(number, cells)
        year = self._read(number, cells, "year", _year)
        if year is UNREADABLE:
            return []
        year = year or self.ctx.year
        if year is None:
            self.errors.add(
                number,
                self.header("year"),
                _("No year: add a 年度 column or give the year of the import (--year)."),
                sheet=self.table.sheet,
            )
            return []
        pairs: list[tuple[int, str, Decimal | None]] = []
        if "month" in self.cols or "amount" in self.cols:
            month = self._read(number, cells, "month", _month)
            amount = self._read(number, cells, "amount", self.amount_readers.get("amount"))
            unread = UNREADABLE in (month, amount)  # already reported on its own cell
            if not unread and (month is not None or amount is not None):
                pairs.append((month or 0, "month", amount))
        for n in range(1, 13):
            key = f"m{n}"
            if key in self.cols:
                value = self._read(number, cells, key, self.amount_readers[key])
                if value is not None and value is not UNREADABLE:
                    pairs.append((n, key, value))
        if project_id is None:
            return []
        reports = [self._report(number, project_id, year, *p) for p in pairs]
        return [r for r in reports if r is not None]

    def _read(self, number: int, cells: list[Any], key: str, coerce: Any) -> Any:
        raw = self.cell(cells, key)
        if coerce is None:
            return None
        try:
            return coerce(raw)
        except CellError as exc:
            self.errors.add(
                number, self.header(key), str(exc), value=shown(raw), sheet=self.table.sheet
            )
            return UNREADABLE

    def _project(self, number: int, cells: list[Any]) -> int | None:
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
        column = "code" if code and not name else "name"
        self.errors.add(
            number, self.header(column), message, value=name or code, sheet=self.table.sheet
        )
        return None

    def _report(
        self, number: int, project_id: int, year: int, month: int, key: str, amount: Any
    ) -> ReportRow | None:
        sheet = self.table.sheet
        if key == "month" and not month:
            self.errors.add(number, self.header("month"), _("The month is empty."), sheet=sheet)
            return None
        if key == "month" and amount is None:
            self.errors.add(number, self.header("amount"), _("The amount is empty."), sheet=sheet)
            return None
        column = self.header("month" if key == "month" else key)
        problems = month_errors(year, month)
        if problems:
            field = next(iter(problems))
            column = self.header("year") if field == "year" else column
            self.errors.add(number, column, problems[field], sheet=sheet)
            return None
        if amount < 0:
            self.errors.add(
                number,
                self.header("amount" if key == "month" else key),
                _("The amount cannot be negative."),
                value=shown(amount),
                sheet=sheet,
            )
            return None
        if (project_id, year) not in self.ctx.listed:
            if number not in self.unlisted:  # one error a row, not one a month
                self.unlisted.add(number)
                self.errors.add(number, self.header("name"), not_listed_message(year), sheet=sheet)
            return None
        slot = (project_id, year, month)
        if slot in self.ctx.seen:
            self.errors.add(
                number,
                column,
                _("This project's %(year)s-%(month)02d is already reported in row %(row)d.")
                % {"year": year, "month": month, "row": self.ctx.seen[slot]},
                sheet=sheet,
            )
            return None
        self.ctx.seen[slot] = number
        return ReportRow(project_id, self.ctx.area.pk, year, month, amount.quantize(FOUR))


FOUR = Decimal("0.0001")
#: what ``_Sheet._read`` gives for a cell it could not read (its error is already reported)
UNREADABLE: Any = object()


def _amount_reader(family: dict[str, Decimal], factor: Decimal) -> Callable[[Any], Decimal | None]:
    def read(raw: Any) -> Decimal | None:
        value = to_decimal(raw, units=family)
        return None if value is None else value * factor

    return read


def import_investments(
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
    """Import monthly reports into ``area``; nothing is written unless every cell is good."""
    outcome = ImportOutcome()
    refusal = import_refusal(acting_user, area)
    if refusal:
        outcome.errors.file_error(refusal)
        return outcome
    ctx = _context(area, outcome, year)
    rows: list[ReportRow] = []
    seen = 0
    try:
        for table in open_tables(Path(path), SPEC):
            if not any(k == "amount" or k.startswith("m") for k in table.columns):
                outcome.errors.file_error(
                    _("Sheet “%(sheet)s” has no month columns (1月…12月) and no 完成投资 column.")
                    % {"sheet": table.sheet}
                )
                continue
            reader = _Sheet(ctx, table)
            for number, cells, _section in table.data_rows():
                seen += 1
                if seen % 500 == 0:
                    progress(processed=seen, total=max(estimate, seen))
                rows += reader.read(number, cells)
    except ImportFileError as exc:
        outcome.errors.file_error(str(exc))
        return outcome
    outcome.total_rows = seen
    if outcome.errors:
        return outcome
    progress(processed=seen, total=seen, phase=JobPhase.WRITING)
    note = _("Imported from %(file)s") % {"file": file_name or Path(path).name}
    return write_all(
        outcome, investments_record, acting_user=acting_user, rows=rows, note=note, dry_run=dry_run
    )


def write_all(
    outcome: ImportOutcome,
    record: Callable[..., Any],
    *,
    acting_user: User | None,
    rows: list[Any],
    note: str,
    dry_run: bool,
) -> ImportOutcome:
    """The write phase of a monthly-figures import: one transaction, counts into
    ``outcome``, rolled back on a dry run (``record`` is the subject's service)."""
    with transaction.atomic():
        counts = record(acting_user=acting_user, rows=rows, note=note)
        outcome.created, outcome.updated, outcome.unchanged = (
            counts.created,
            counts.corrected,
            counts.unchanged,
        )
        if dry_run:
            transaction.set_rollback(True)
    return outcome


def template() -> Template:
    months = [f"{n}月（万元）" for n in range(1, 13)]
    return Template(
        file_name="monthly-investment-template.xlsx",
        sheet="月度完成投资",
        headers=["项目编号", "项目名称", "年度", *months],
        examples=[
            [
                "",
                "示例：某某年产10万吨项目（导入时跳过以“示例”开头的行）",
                2026,
                *[1200] * 10,
                "",
                "",
            ]
        ],
        help=[
            (
                _("Wide layout"),
                _(
                    "One row per project, one column per month 1月…12月 (in 万元; "
                    "“1月（万元）” or “3月份” are fine)."
                ),
            ),
            (
                _("Long layout"),
                _("One row per project and month: 项目名称, 月份, 完成投资（万元）."),
            ),
            (
                "项目编号/项目名称",
                _("Matched among the area's projects; projects sharing a name need 项目编号."),
            ),
            ("年度", _("May be left out: the year given for the import (--year) is used.")),
            (
                _("Rules"),
                _(
                    "No future months, no negative amounts; the project must be in a "
                    "key-project list of the year."
                ),
            ),
            (
                _("Corrections"),
                _(
                    "A different amount becomes a new version and the old one stays in the "
                    "history; the same amount changes nothing."
                ),
            ),
        ],
    )
