"""Excel output shared by every export: constant memory, formula-safe.

Every text cell is written with ``write_string`` (never parsed as a formula)
and, when it starts with ``= + - @``, a tab or a carriage return, carries
Excel's quote-prefix flag as well, so spreadsheet software shows it as text
even after a user edits the cell. The stored value itself is not altered,
which keeps an export → import round trip exact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.utils import timezone
from xlsxwriter.worksheet import Worksheet

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE = "\x00-\x08\x0b-\x1f\ufffe\uffff"
# Excel decodes _xHHHH_ left to right. xlsxwriter escapes a literal one once per
# regex match, so "_x0041_x0042_" (two sharing an underscore) and "_x0041" + a
# control character (whose escape adds the closing underscore) come back changed.
# Escaping every underscore that opens such a sequence, in one pass with the
# control characters, makes any text round-trip.
_OOXML_ESCAPE = re.compile(rf"_(?=x[0-9A-Fa-f]{{4}}(?:_|[{_UNSAFE}]))|[{_UNSAFE}]")


def _escape_one(match: re.Match[str]) -> str:
    char = match.group(0)
    return "_x005F_" if char == "_" else f"_x{ord(char):04X}_"


class _Worksheet(Worksheet):
    @staticmethod
    def _escape_control_characters(data: Any) -> Any:
        return _OOXML_ESCAPE.sub(_escape_one, data) if isinstance(data, str) else data


def needs_quote_prefix(value: str) -> bool:
    return value.startswith(DANGEROUS_PREFIXES)


def write_table(
    target: str | IO[bytes], *, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write one sheet with a bold header row; returns the number of data rows."""
    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "in_memory": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    ws = book.add_worksheet(sheet[:31], worksheet_class=_Worksheet)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for col, title in enumerate(headers):
        ws.write_string(0, col, title, bold)
        ws.set_column(col, col, max(10, len(title) * 2 + 2))
    write = _cell_writer(book, ws)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is not None:
                write(count, col, value)
    ws.freeze_panes(1, 0)
    book.close()
    return count


def _cell_writer(book: Any, ws: Any) -> Callable[[int, int, Any], None]:
    """One dict lookup per cell on the value's exact type; subclasses take the slow path."""
    quoted = book.add_format({"quote_prefix": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    string, number, when, boolean = (
        ws.write_string,
        ws.write_number,
        ws.write_datetime,
        ws.write_boolean,
    )

    def text(row: int, col: int, value: str) -> None:
        if value:
            string(row, col, value, quoted if value.startswith(DANGEROUS_PREFIXES) else None)

    def num(row: int, col: int, value: Any) -> None:
        number(row, col, float(value))

    def date(row: int, col: int, value: dt.date) -> None:
        when(row, col, value, day)

    def moment(row: int, col: int, value: dt.datetime) -> None:
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        when(row, col, local.replace(tzinfo=None), stamp)

    def flag(row: int, col: int, value: bool) -> None:
        boolean(row, col, value)

    by_type: dict[type, Callable[[int, int, Any], None]] = {
        str: text,
        int: num,
        float: num,
        Decimal: num,
        dt.date: date,
        dt.datetime: moment,
        bool: flag,
    }

    def other(row: int, col: int, value: Any) -> None:
        if isinstance(value, bool):
            flag(row, col, value)
        elif isinstance(value, int | float | Decimal):
            num(row, col, value)
        elif isinstance(value, dt.datetime):
            moment(row, col, value)
        elif isinstance(value, dt.date):
            date(row, col, value)
        else:
            text(row, col, str(value))

    get = by_type.get

    def write(row: int, col: int, value: Any) -> None:
        get(type(value), other)(row, col, value)

    return write


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
