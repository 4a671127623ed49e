"""Excel the import pages hand out: each kind's downloadable template.

A template holds a kind's headers, example rows and a help sheet. (The error
report of a refused import is part of the job's result: ``errors.write_error_report``.)
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _

from zhaoshang.core.xlsx import needs_quote_prefix

from .kinds import Template


def write_template(target: IO[bytes], template: Template) -> None:
    """Write ``template`` as .xlsx (xlsxwriter; every text cell written as text)."""
    book = xlsxwriter.Workbook(
        target, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    quoted = book.add_format({"quote_prefix": True})
    example = book.add_format({"font_color": "#7F7F7F"})
    sheet = book.add_worksheet(template.sheet[:31])
    for col, title in enumerate(template.headers):
        sheet.write_string(0, col, title, bold)
        sheet.set_column(col, col, max(10, len(title) * 2 + 2))
    for row_number, row in enumerate(template.examples, start=1):
        for col, value in enumerate(row):
            _write(sheet, row_number, col, value, day, quoted, example)
    sheet.freeze_panes(1, 0)
    help_sheet = book.add_worksheet(_("How to fill in")[:31])
    help_sheet.write_string(0, 0, _("Column or topic"), bold)
    help_sheet.write_string(0, 1, _("Also recognised / accepted values"), bold)
    help_sheet.set_column(0, 0, 22)
    help_sheet.set_column(1, 1, 100)
    for row_number, (topic, text) in enumerate(template.help, start=1):
        help_sheet.write_string(row_number, 0, topic)
        help_sheet.write_string(row_number, 1, text)
    book.close()


def _write(sheet: Any, row: int, col: int, value: Any, day: Any, quoted: Any, grey: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, grey)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, day)
    else:
        text = str(value)
        sheet.write_string(row, col, text, quoted if needs_quote_prefix(text) else grey)
