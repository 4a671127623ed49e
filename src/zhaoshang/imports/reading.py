"""Find the table inside a messy ledger sheet and hand over its data rows.

Real bureau ledgers are not tidy tables. Above the header there are merged
title rows (“驿城区2026年招商引资项目台账”) and a unit line (“单位：万元”); the
header itself may span two rows (“投资额（万元）” merged over “总投资 | 利用外资 |
市外资金”); the body is cut into sections (“一、签约项目”, “（一）新能源汽车”),
carries 合计/小计 rows, and ends with notes (“填表说明：…”, “注：…”, 填表人).

``open_tables`` reads a workbook with python-calamine and yields one
``SheetTable`` per visible sheet whose header it recognises: which column
holds which field (matched through the importer's synonyms, unit suffixes
stripped), the unit each number column is in, and an iterator over the data
rows only, each with its row number as Excel shows it and the section
heading it sits under.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from .cells import _FULL_WIDTH, brief_list, is_blank, to_text
from .safety import ImportFileError

#: rows searched for the header, from the top of each sheet
HEADER_SCAN_ROWS = 30

#: unit families: words a header (or a cell, or the unit line) may use → factor to the stored unit
UNIT_FAMILIES: dict[str, dict[str, Decimal]] = {
    "cny": {
        "万元": Decimal(1),
        "亿元": Decimal(10000),
        "千元": Decimal("0.1"),
        "元": Decimal("0.0001"),
    },
    "usd": {"万美元": Decimal(1), "亿美元": Decimal(10000), "美元": Decimal("0.0001")},
    "land": {
        "亩": Decimal(1),
        "公顷": Decimal(15),
        "平方米": Decimal("0.0015"),
        "㎡": Decimal("0.0015"),
        "m2": Decimal("0.0015"),
    },
}
UNIT_WORDS = frozenset(word for family in UNIT_FAMILIES.values() for word in family)
_UNIT_LINE = re.compile(
    r"单位\s*[:：]\s*(" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True)) + ")"
)
_BRACKETED = re.compile(r"\(([^()]*)\)")
_TRAILING_UNIT = re.compile(r"[/／](" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True)) + r")$")
#: “一、签约项目”, “第二部分 …” open a section; “（一）新能源汽车” a subsection within it
SECTION_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|第[一二三四五六七八九十百]+\s*[部分类批项])"
)
SUBSECTION_RE = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十百]+\s*[)）]")
TOTAL_RE = re.compile(r"^\s*(?:合\s*计|总\s*计|小\s*计|共\s*计|累\s*计|其\s*中)")
NOTE_RE = re.compile(
    r"^\s*(?:填表说明|填报说明|说\s*明\s*[:：]|注\s*[:：\d]|备\s*注\s*[:：]|附注|制表|填表人|填报人"
    r"|审核人|审核\\s*[:：]|负责人\s*[:：]|联系人|联系电话|填报单位|填表单位|填报日期|填表日期|数据截[至止]"
    r"|示例|例\s*[:：])"
)
_COLUMN_NUMBERS = ("甲", "乙", "丙", "丁", "戊")


@dataclass(frozen=True)
class ColumnSpec:
    """A column an importer understands: its key, the headers that mean it, its unit family."""

    key: str
    headers: tuple[str, ...]
    units: str = ""  # a key of UNIT_FAMILIES, or "" for columns without a unit

    @property
    def title(self) -> str:
        return self.headers[0]


@dataclass(frozen=True)
class TableSpec:
    columns: tuple[ColumnSpec, ...]
    required: tuple[str, ...]  # keys that must be found for a sheet to count as a table
    ignored: tuple[str, ...] = ("序号", "编号序号", "排序", "序")
    min_columns: int = 2

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for column in self.columns:
            for header in column.headers:
                name, _unit = split_header(header)
                lookup.setdefault(name, column.key)
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_by_key", {c.key: c for c in self.columns})

    def match(self, name: str) -> str | None:
        lookup: dict[str, str] = self._lookup  # type: ignore[attr-defined]
        return lookup.get(name)

    def column(self, key: str) -> ColumnSpec:
        by_key: dict[str, ColumnSpec] = self._by_key  # type: ignore[attr-defined]
        return by_key[key]


@dataclass(frozen=True)
class FoundColumn:
    key: str
    index: int  # position in the row lists handed out
    header: str  # as the file shows it (“投资额（万元）/总投资”)
    unit: str  # the unit the column's numbers are in
    factor: Decimal  # multiply by this to get the stored unit


@dataclass
class SheetTable:
    sheet: str
    header_rows: tuple[int, ...]  # Excel row numbers
    columns: dict[str, FoundColumn]
    unknown_headers: list[str]
    height: int
    _rows: Iterator[list[Any]] = field(repr=False)
    _first_data: int = 0  # 0-based index of the first row after the header
    _key_index: int = 0

    def data_rows(self) -> Iterator[tuple[int, list[Any], str]]:
        """(row number as Excel shows it, the row's cells, the headings it sits under).

        The headings are “一、签约项目 / （一）新能源汽车” (section, then subsection).
        """
        section, subsection = "", ""
        in_notes = False
        mapped = [c.index for c in self.columns.values()]
        key = self._key_index
        first = True
        for index, cells in enumerate(self._rows, start=self._first_data):
            number = index + 1
            lead = _first_text(cells)
            key_cell = cells[key] if key < len(cells) else ""
            if lead is not None:
                if TOTAL_RE.match(lead) and _only_in_front(cells, key, lead):
                    continue
                if NOTE_RE.match(lead):
                    in_notes = True
                    continue
                heading = is_blank(key_cell) or key_cell == lead
                if heading and SECTION_RE.match(lead):
                    section, subsection = lead.strip(), ""
                    in_notes = False
                    continue
                if heading and SUBSECTION_RE.match(lead):
                    subsection = lead.strip()
                    in_notes = False
                    continue
            if all(i >= len(cells) or is_blank(cells[i]) for i in mapped):
                continue
            if in_notes and is_blank(key_cell):
                continue
            if first and _is_column_numbers(cells):
                first = False
                continue
            first = False
            in_notes = False
            yield number, cells, f"{section} / {subsection}" if subsection else section


def _first_text(cells: Sequence[Any]) -> str | None:
    """The first non-blank cell when it is text (a serial number rules out headings)."""
    for value in cells:
        if value == "" or value is None:
            continue
        return value if isinstance(value, str) and value.strip() else None
    return None


def _only_in_front(cells: Sequence[Any], key: int, lead: str) -> bool:
    """合计/小计 in the serial or name column, not a project that happens to start so."""
    for index, value in enumerate(cells):
        if value == lead:
            return index <= key
    return True


def _is_column_numbers(cells: Sequence[Any]) -> bool:
    """A row of column numbers under the header (1 2 3 … or 甲 乙 1 2 …)."""
    values = [v for v in cells if not is_blank(v)]
    if len(values) < 3:
        return False
    numbers = [v for v in values if not (isinstance(v, str) and v.strip() in _COLUMN_NUMBERS)]
    try:
        ints = [int(float(v)) for v in numbers]
    except (TypeError, ValueError):
        return False
    return bool(ints) and ints == list(range(ints[0], ints[0] + len(ints)))


def split_header(raw: Any) -> tuple[str, str]:
    """(name, unit) of a header cell: “计划总投资（万元）” → (“计划总投资”, “万元”).

    Whitespace, line breaks, “*” marks and a leading “其中：” are dropped, and
    bracketed parts are removed (a bracket naming a unit gives the unit).
    """
    text = re.sub(r"\s+", "", to_text(raw).translate(_FULL_WIDTH))
    text = text.strip("*※★:：")
    unit = ""
    for inner in _BRACKETED.findall(text):
        word = inner.removeprefix("单位").lstrip(":：")
        if word in UNIT_WORDS:
            unit = word
    name = _BRACKETED.sub("", text)
    trailing = _TRAILING_UNIT.search(name)
    if trailing:
        unit = unit or trailing.group(1)
        name = name[: trailing.start()]
    name = re.sub(r"^其中[:：]?", "", name).strip("*※★:：")
    return name, unit


@dataclass
class _Match:
    columns: dict[str, tuple[int, str, str, bool]]  # key → (index, shown header, unit, own unit)
    duplicates: list[tuple[str, str, str]]
    unknown: list[str]
    rows: int  # 1 or 2 header rows

    @property
    def score(self) -> int:
        return len(self.columns)


def _match_rows(
    spec: TableSpec, top: Sequence[Any], bottom: Sequence[Any] | None, groups: dict[int, int]
) -> _Match:
    """Match one header row, or two (a merged group header above its sub-headers).

    ``groups`` maps a column to the first column of the horizontal merge it
    belongs to in ``top``, so a sub-header inherits its group's unit.
    """
    found: dict[str, tuple[int, str, str, bool]] = {}
    duplicates: list[tuple[str, str, str]] = []
    unknown: list[str] = []
    width = max(len(top), len(bottom or ()))
    for col in range(width):
        group = groups.get(col, col)
        top_raw = top[group] if group < len(top) else ""
        own_top = col < len(top) and not is_blank(top[col])
        bottom_raw = bottom[col] if bottom is not None and col < len(bottom) else ""
        t_name, t_unit = split_header(top_raw)
        b_name, b_unit = split_header(bottom_raw)
        t_shown, b_shown = to_text(top_raw), to_text(bottom_raw)
        # (name to look up, header as shown, unit, whether the unit is the column's own)
        candidates: list[tuple[str, str, str, bool]] = []
        if b_name:
            shown = f"{t_shown}/{b_shown}" if t_shown else b_shown
            candidates.append((b_name, shown, b_unit or t_unit, bool(b_unit)))
            if t_name:
                candidates.append((t_name + b_name, shown, b_unit or t_unit, bool(b_unit)))
        if t_name and own_top:
            candidates.append((t_name, t_shown, t_unit, bool(t_unit)))
        if not candidates:
            continue
        for name, shown, unit, own in candidates:
            if name in spec.ignored:
                break
            key = spec.match(name)
            if key is None:
                continue
            if key in found:
                duplicates.append((key, found[key][1], shown))
            else:
                found[key] = (col, shown, unit, own)
            break
        else:
            unknown.append(candidates[0][1])
    return _Match(found, duplicates, unknown, 1 if bottom is None else 2)


def _merged_groups(merges: Any, row: int, col_offset: int) -> dict[int, int]:
    """Columns covered by a horizontal merge that starts on ``row`` → the merge's first column."""
    groups: dict[int, int] = {}
    for (r0, c0), (r1, c1) in merges or ():
        if r0 <= row <= r1 and c1 > c0:
            for col in range(c0 + 1, c1 + 1):
                groups[col - col_offset] = c0 - col_offset
    return groups


def _unit_line(rows: Sequence[Sequence[Any]]) -> str:
    for cells in rows:
        for value in cells:
            if isinstance(value, str):
                match = _UNIT_LINE.search(value.translate(_FULL_WIDTH).replace(" ", ""))
                if match:
                    return match.group(1)
    return ""


def _find_header(
    spec: TableSpec, rows: list[list[Any]], merges: Any, col_offset: int
) -> tuple[int, _Match] | None:
    """The best-matching header: most known columns; one row unless two rows match more.

    A two-row header must recognise more columns than either of its rows alone,
    so a unit line or a title right above a one-row header is not taken for
    its upper half.
    """
    singles = [
        _match_rows(spec, top, None, _merged_groups(merges, i, col_offset))
        for i, top in enumerate(rows)
    ]
    best: tuple[int, _Match] | None = None
    for i, single in enumerate(singles):
        options = [single]
        if i + 1 < len(rows):
            double = _match_rows(spec, rows[i], rows[i + 1], _merged_groups(merges, i, col_offset))
            if double.score > max(single.score, singles[i + 1].score):
                options.append(double)
        for option in options:
            if not all(key in option.columns for key in spec.required):
                continue
            if option.score < spec.min_columns:
                continue
            if best is None or option.score > best[1].score:
                best = (i, option)
    return best


def _resolve_units(
    spec: TableSpec, match: _Match, default_unit: str, sheet: str
) -> dict[str, FoundColumn]:
    columns: dict[str, FoundColumn] = {}
    for key, (index, shown, unit, own) in match.columns.items():
        family_name = spec.column(key).units
        family = UNIT_FAMILIES.get(family_name, {})
        if not family:
            columns[key] = FoundColumn(key, index, shown, "", Decimal(1))
            continue
        chosen = unit if unit in family else ""
        if own and unit and not chosen:
            raise ImportFileError(
                _(
                    "Sheet “%(sheet)s”: column “%(header)s” is in %(unit)s, but it must be in "
                    "%(expected)s."
                )
                % {
                    "sheet": sheet,
                    "header": shown,
                    "unit": unit,
                    "expected": "、".join(family),
                }
            )
        if not chosen and default_unit in family:
            chosen = default_unit
        chosen = chosen or next(iter(family))
        columns[key] = FoundColumn(key, index, shown, chosen, family[chosen])
    return columns


def open_tables(path: str | Path, spec: TableSpec) -> Iterator[SheetTable]:
    """Yield each visible sheet's table; ImportFileError when no sheet has the header.

    Sheets are loaded one at a time, so only one sheet's cells are in memory.
    """
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise ImportFileError(
            _("The workbook cannot be read (%(detail)s).") % {"detail": str(exc)[:120]}
        ) from exc
    found_any = False
    best_seen: list[str] = []
    with workbook:
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.visible != SheetVisibleEnum.Visible:
                continue
            try:
                sheet = workbook.get_sheet_by_index(index)
            except CalamineError as exc:
                raise ImportFileError(
                    _("Sheet “%(sheet)s” cannot be read (%(detail)s).")
                    % {"sheet": meta.name, "detail": str(exc)[:120]}
                ) from exc
            rows = sheet.iter_rows()
            head: list[list[Any]] = []
            for cells in rows:
                head.append(cells)
                if len(head) >= HEADER_SCAN_ROWS:
                    break
            col_offset = sheet.start[1] if sheet.start else 0
            located = _find_header(spec, head, sheet.merged_cell_ranges, col_offset)
            if located is None:
                best_seen.extend(_headers_seen(spec, head))
                continue
            found_any = True
            at, match = located
            if match.duplicates:
                key, first, second = match.duplicates[0]
                raise ImportFileError(
                    _(
                        "Sheet “%(sheet)s”: columns “%(a)s” and “%(b)s” both mean “%(field)s”; "
                        "keep only one of them."
                    )
                    % {"sheet": meta.name, "a": first, "b": second, "field": spec.column(key).title}
                )
            columns = _resolve_units(spec, match, _unit_line(head[:at]), meta.name)
            first_data = at + match.rows
            body = iter(head[first_data:])
            yield SheetTable(
                sheet=meta.name,
                header_rows=tuple(range(at + 1, at + 1 + match.rows)),
                columns=columns,
                unknown_headers=match.unknown,
                height=sheet.end[0] + 1 if sheet.end else 0,
                _rows=chain(body, rows),  # C-level: no generator frame per row
                _first_data=first_data,
                _key_index=columns[spec.required[0]].index,
            )
    if not found_any:
        required = "、".join(f"“{spec.column(k).title}”" for k in spec.required)
        raise ImportFileError(
            _(
                "No header row found: none of the first %(n)d rows of any sheet has the column "
                "%(required)s plus at least one other known column. Known columns include: "
                "%(known)s. Download the template to see every recognised header."
            )
            % {
                "n": HEADER_SCAN_ROWS,
                "required": required,
                "known": brief_list([c.title for c in spec.columns], limit=10),
            }
        )


def _headers_seen(spec: TableSpec, rows: list[list[Any]]) -> list[str]:
    return [name for cells in rows for name, _unit in map(split_header, cells) if spec.match(name)]
