"""Cell coercion: the ways clerks type dates, numbers and blanks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhaoshang.imports.cells import (
    CellError,
    ChoiceMap,
    brief_list,
    memoized,
    to_date,
    to_decimal,
    to_line,
    to_name,
    to_text,
)
from zhaoshang.imports.reading import UNIT_FAMILIES


@pytest.mark.parametrize(
    "raw",
    ["2026-03-15", "2026.3.15", "2026/3/15", "2026年3月15日", " 2026 年 3 月 15 日 ", "20260315",
     "２０２６－０３－１５", "2026-03-15 00:00:00", dt.date(2026, 3, 15),
     dt.datetime(2026, 3, 15, 9, 30), 46096.0, 20260315.0],
)  # fmt: skip
def test_it_reads_every_way_a_date_is_written(raw: object) -> None:
    assert to_date(raw) == dt.date(2026, 3, 15)


@pytest.mark.parametrize("raw", ["", None, "—", "——", "-", "/", "无", "  ", "－"])
def test_it_reads_blank_marks_as_no_value(raw: object) -> None:
    assert to_date(raw) is None
    assert to_decimal(raw) is None
    assert to_text(raw) == ""


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("2026-02-30", "2026-02-30"), ("2026年3月", "2026年3月"), ("下月", "下月"), (3.5, "3.5"),
     (True, "True")],
)  # fmt: skip
def test_it_refuses_what_is_not_a_day_and_quotes_it(raw: object, fragment: str) -> None:
    with pytest.raises(CellError) as caught:
        to_date(raw)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1,200.50", Decimal("1200.50")), ("12000", Decimal(12000)), (1200.5, Decimal("1200.5")),
     (0.1 + 0.2, Decimal("0.3")), (7, Decimal(7)), ("１２００", Decimal(1200)),
     (" 3,000 ", Decimal(3000)), ("1200万元", Decimal(1200)), ("1.5亿元", Decimal(15000)),
     ("-5", Decimal(-5))],
)  # fmt: skip
def test_it_reads_numbers_typed_as_text(raw: object, expected: Decimal) -> None:
    assert to_decimal(raw, units=UNIT_FAMILIES["cny"]) == expected


@pytest.mark.parametrize("raw", ["1,2", "12,00.5", "约1000", "1.2.3", dt.date(2026, 1, 1), False])
def test_it_refuses_what_is_not_a_number(raw: object) -> None:
    with pytest.raises(CellError):
        to_decimal(raw, units=UNIT_FAMILIES["cny"])


def test_it_keeps_typed_digits_and_drops_line_breaks_in_names() -> None:
    assert to_text(2026001.0) == "2026001"
    assert to_name("新能源汽车\n电池包项目 ") == "新能源汽车电池包项目"
    assert to_line("陈  志远\n") == "陈 志远"


def test_it_maps_choice_words_and_lists_the_valid_ones() -> None:
    stages = ChoiceMap(
        {"signed": ["签约", "已签约"], "lead": ["线索"]}, shown_values=["签约", "线索"]
    )
    assert stages(" 已签约 ") == "signed" and stages("（签约）") == "signed"
    assert stages("") is None
    with pytest.raises(CellError) as caught:
        stages("谈判")
    assert "谈判" in str(caught.value) and "签约、线索" in str(caught.value)


def test_it_remembers_answers_and_refusals_of_a_column() -> None:
    calls: list[object] = []

    def coerce(raw: object) -> str:
        calls.append(raw)
        if raw == "bad":
            raise CellError("no")
        return f"<{raw}>"

    cached = memoized(coerce)
    assert [cached("a"), cached("a"), cached(1.0)] == ["<a>", "<a>", "<1.0>"]
    for _ in range(2):
        with pytest.raises(CellError, match="no"):
            cached("bad")
    assert calls == ["a", 1.0, "bad"]


def test_it_keeps_the_list_of_valid_values_brief() -> None:
    assert brief_list(["a", "b"]) == "a、b"
    assert "12" in brief_list([str(i) for i in range(12)], limit=3)
