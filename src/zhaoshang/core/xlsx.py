"""Excel output shared by every export: constant memory, formula-safe.

Every text cell is written with ``write_string`` (never parsed as a formula)
and, when it starts with ``= + - @``, a tab or a carriage return, carries
Excel's quote-prefix flag as well, so spreadsheet software shows it as text
even after a user edits the cell. The stored value itself is not altered,
which keeps an export → import round trip exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.utils import timezone

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    quoted = book.add_format({"quote_prefix": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(headers):
        ws.write_string(0, col, title, bold)
        ws.set_column(col, col, max(10, len(title) * 2 + 2))
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            _write(ws, count, col, value, quoted, stamp, day)
    ws.freeze_panes(1, 0)
    book.close()
    return count


def _write(ws: Any, row: int, col: int, value: Any, quoted: Any, stamp: Any, day: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float | Decimal):
        ws.write_number(row, col, float(value))
    elif isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        ws.write_datetime(row, col, local.replace(tzinfo=None), stamp)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, day)
    else:
        text = str(value)
        ws.write_string(row, col, text, quoted if needs_quote_prefix(text) else None)
