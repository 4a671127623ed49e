"""Finding the table in a messy sheet: header rows, units, headings, totals and notes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from tests.imports.ledgers import ROW_OF, messy_ledger
from zhaoshang.imports.reading import ColumnSpec, TableSpec, open_tables, split_header
from zhaoshang.imports.safety import ImportFileError

SPEC = TableSpec(
    columns=(
        ColumnSpec("name", ("项目名称", "项目名")),
        ColumnSpec("total", ("总投资", "计划总投资"), units="cny"),
        ColumnSpec("foreign", ("利用外资", "外资"), units="usd"),
        ColumnSpec("out", ("市外资金", "引进市外资金"), units="cny"),
        ColumnSpec("stage", ("项目进展", "所处阶段")),
        ColumnSpec("signed", ("签约日期", "签约时间")),
        ColumnSpec("started", ("开工日期", "开工时间")),
        ColumnSpec("land", ("用地面积", "用地"), units="land"),
    ),
    required=("name",),
)


def sheet(path: Path, rows: list[list[Any]], *, name: str = "Sheet1", book: Any = None) -> Path:
    own = book is None
    book = book or xlsxwriter.Workbook(path)
    ws = book.add_worksheet(name)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value != "":
                ws.write(r, c, value)
    if own:
        book.close()
    return path


def rows_of(path: Path, spec: TableSpec = SPEC) -> list[tuple[str, int, str, str]]:
    """(sheet, Excel row, name cell, headings) of every data row."""
    found = []
    for table in open_tables(path, spec):
        name = table.columns["name"].index
        found += [(table.sheet, n, cells[name], s) for n, cells, s in table.data_rows()]
    return found


@pytest.mark.parametrize(
    ("header", "expected"),
    [("计划总投资（万元）", ("计划总投资", "万元")), ("总投资(亿元)", ("总投资", "亿元")),
     ("外资\n（万美元）", ("外资", "万美元")), ("用地/亩", ("用地", "亩")),
     ("*项目名称", ("项目名称", "")), ("其中：利用外资", ("利用外资", "")),
     ("总投资（单位：万元）", ("总投资", "万元")), ("签约时间（年月日）", ("签约时间", ""))],
)  # fmt: skip
def test_it_strips_units_and_marks_from_headers(header: str, expected: tuple[str, str]) -> None:
    assert split_header(header) == expected


def test_it_finds_a_two_row_merged_header_below_title_and_unit_lines(tmp_path: Path) -> None:
    tables = list(open_tables(messy_ledger(tmp_path / "l.xlsx"), SPEC))

    assert len(tables) == 1
    table = tables[0]
    assert table.header_rows == (4, 5)
    assert table.columns["total"].header == "投资额（万元）/计划总投资"
    assert table.columns["out"].unit == "万元"
    assert table.columns["foreign"].unit == "万美元"  # its own unit beats the group's 万元
    assert table.columns["signed"].header == "时间节点/签约时间"
    assert table.columns["land"].unit == "亩"
    assert {"序号"}.isdisjoint(table.unknown_headers)
    assert "投资方" in table.unknown_headers  # SPEC here has no investor column


def test_it_hands_out_only_data_rows_with_excel_row_numbers_and_headings(tmp_path: Path) -> None:
    found = rows_of(messy_ledger(tmp_path / "l.xlsx"))

    assert [(number, name) for _sheet, number, name, _s in found] == sorted(
        ((row, name) for name, row in ROW_OF.items()), key=lambda pair: pair[0]
    )
    headings = {name: s for _sheet, _n, name, s in found}
    assert headings["新能源汽车电池包项目"] == "一、签约项目（2个）"
    assert headings["智能电表项目"] == "三、在谈项目"


def test_it_applies_the_unit_line_to_columns_without_their_own_unit(tmp_path: Path) -> None:
    path = sheet(
        tmp_path / "l.xlsx",
        [
            ["2026年项目表"],
            ["", "", "单位：亿元"],
            ["项目名称", "总投资", "外资"],
            ["甲项目", 1.5, 3],
        ],
    )
    table = next(open_tables(path, SPEC))
    assert (table.columns["total"].unit, table.columns["total"].factor) == ("亿元", Decimal(10000))
    assert table.columns["foreign"].unit == "万美元"


def test_it_skips_subsections_column_numbers_subtotals_and_trailing_notes(tmp_path: Path) -> None:
    path = sheet(
        tmp_path / "l.xlsx",
        [
            ["序号", "项目名称", "总投资", "项目进展"],
            ["甲", "乙", 1, 2],
            ["一、签约项目"],
            ["（一）新能源汽车"],
            [1, "甲项目", 100, "签约"],
            ["", "小计", 100],
            ["（二）运输装备"],
            [2, "乙项目", 200, "签约"],
            [3],  # a pre-numbered empty row
            ["合  计", "", 300],
            ["注：金额单位万元"],
            ["2. 日期填写到日"],
            [4, "注后的项目", 50, "线索"],
            ["填表人：张三"],
        ],
    )
    found = [(n, name, s) for _sheet, n, name, s in rows_of(path)]
    assert found == [
        (5, "甲项目", "一、签约项目 / （一）新能源汽车"),
        (8, "乙项目", "一、签约项目 / （二）运输装备"),
        (13, "注后的项目", "一、签约项目 / （二）运输装备"),
    ]


def test_it_reads_every_visible_sheet_with_a_header_and_ignores_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "l.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet(path, [["填写说明"], ["项目名称", "必填"]], name="说明", book=book)
    sheet(path, [["项目名称", "总投资"], ["签约甲", 1]], name="签约项目", book=book)
    sheet(path, [["项目名称", "总投资"], ["隐藏乙", 2]], name="隐藏", book=book)
    book.worksheets()[-1].hide()
    sheet(path, [["项目名", "计划总投资"], ["在谈丙", 3]], name="在谈项目", book=book)
    book.close()

    assert [(s, n, name) for s, n, name, _h in rows_of(path)] == [
        ("签约项目", 2, "签约甲"),
        ("在谈项目", 2, "在谈丙"),
    ]


def test_it_says_which_header_it_needs_when_it_finds_none(tmp_path: Path) -> None:
    path = sheet(tmp_path / "l.xlsx", [["名称", "金额"], ["甲", 1]])
    with pytest.raises(ImportFileError) as caught:
        list(open_tables(path, SPEC))
    assert "“项目名称”" in str(caught.value)


def test_it_refuses_two_columns_meaning_the_same_field(tmp_path: Path) -> None:
    path = sheet(tmp_path / "l.xlsx", [["项目名称", "总投资", "计划总投资"], ["甲", 1, 2]])
    with pytest.raises(ImportFileError) as caught:
        list(open_tables(path, SPEC))
    assert "总投资" in str(caught.value) and "计划总投资" in str(caught.value)
