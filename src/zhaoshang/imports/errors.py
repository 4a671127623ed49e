"""Collect every problem of an import (row, column, reason) and write them to Excel."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from zhaoshang.core.xlsx import write_table


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` as Excel numbers it (0 for the file as a whole)."""

    row: int
    column: str
    message: str
    value: str = ""
    sheet: str = ""

    def line(self, *, with_sheet: bool = False) -> str:
        """“第12行 [签约日期] 原因” — the form the CLI prints and the page lists."""
        parts = []
        if with_sheet and self.sheet:
            parts.append(_("Sheet “%(sheet)s”") % {"sheet": self.sheet})
        if self.row:
            parts.append(_("Row %(row)d") % {"row": self.row})
        if self.column:
            parts.append(f"[{self.column}]")
        parts.append(self.message)
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "value": self.value,
            "sheet": self.sheet,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowError:
        return cls(
            row=int(data.get("row") or 0),
            column=str(data.get("column") or ""),
            message=str(data.get("message") or ""),
            value=str(data.get("value") or ""),
            sheet=str(data.get("sheet") or ""),
        )


class ErrorCollector:
    """Every error of one import, in the order found; nothing is dropped."""

    def __init__(self) -> None:
        self._errors: list[RowError] = []
        self.sheets: set[str] = set()

    def add(self, row: int, column: str, message: str, *, value: str = "", sheet: str = "") -> None:
        self._errors.append(RowError(row, column, str(message), value, sheet))
        if sheet:
            self.sheets.add(sheet)

    def file_error(self, message: str) -> None:
        self.add(0, "", message)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __len__(self) -> int:
        return len(self._errors)

    def __iter__(self) -> Iterator[RowError]:
        return iter(self.sorted())

    def sorted(self) -> list[RowError]:
        return sorted(self._errors, key=lambda e: (e.sheet, e.row))

    @property
    def several_sheets(self) -> bool:
        return len(self.sheets) > 1

    def lines(self) -> list[str]:
        with_sheet = self.several_sheets
        return [error.line(with_sheet=with_sheet) for error in self.sorted()]


def write_error_report(target: str | Path | IO[bytes], errors: ErrorCollector) -> int:
    """An .xlsx of every error (sheet, row, column, value, reason); returns the row count."""
    headers = [_("Sheet"), _("Row"), _("Column"), _("Value in the file"), _("Problem")]
    rows = ([e.sheet, e.row or "", e.column, e.value, e.message] for e in errors.sorted())
    return write_table(
        str(target) if isinstance(target, Path) else target,
        sheet=_("Import errors"),
        headers=headers,
        rows=rows,
    )
