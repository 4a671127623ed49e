"""Turn what a spreadsheet cell holds into a Python value, or say in Chinese why not.

python-calamine hands back ``str``, ``float`` (every number), ``int``,
``bool``, ``date``/``datetime`` (cells formatted as dates) and ``""`` for an
empty cell. Bureaus type the same fact many ways, so each coercer accepts:

* blank: empty, whitespace, “—”, “——”, “-”, “--”, “/”, “无” (and full-width forms);
* numbers: real numbers, or text with thousands separators (“1,200.50”),
  full-width digits, and a unit written in the cell (“1200万元”);
* dates: Excel dates, Excel serial numbers, or text “2026-03-15”,
  “2026.3.15”, “2026/3/15”, “2026年3月15日” (and “20260315”).

Each coercer raises ``CellError`` with the reason; the caller adds the row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

BLANK_MARKS = frozenset(
    {"", "—", "——", "-", "--", "－", "－－", "/", "／", "\\", "无", "―", "─", "–", "N/A", "n/a"}
)
_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９．，－＋：／　（）",
    "0123456789.,-+:/ ()",
)
_SPACES = re.compile(r"\s+")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
#: one ``str.translate`` for choice_key: full-width to half-width, then whitespace (what
#: ``\s`` matches: ``str.isspace``, all below U+3001) and brackets dropped
_CHOICE_DROP = {c for c in range(0x3001) if chr(c).isspace()} | {ord(c) for c in "()（）【】[]"}
_CHOICE_KEY: dict[int, int | None] = {
    code: (None if code in _CHOICE_DROP else code) for code in _CHOICE_DROP
}
_CHOICE_KEY.update(
    {
        source: (None if target in _CHOICE_DROP else target)
        for source, target in _FULL_WIDTH.items()
        if isinstance(target, int)
    }
)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?"
    r"(?:\s*[T ]?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_ONLY = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(?:份)?$")
#: Excel's day 0 (its 1900 leap-year bug makes serials from 61 on count from here)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 18264, 73051  # 1950-01-01 … 2099-12-31: anything else is not a date


T = TypeVar("T")


class CellError(ValueError):
    """A cell's value cannot be used; ``str(error)`` is the reason shown to the user."""


def shown(value: Any) -> str:
    """A cell's value as the user would recognise it in an error message."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()[:60]


_LONGEST_MARK = max(len(mark) for mark in BLANK_MARKS)


def is_blank(value: Any) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, str):
        text = value.strip()
        # most cells are longer than any blank mark: no need to normalise them
        return len(text) <= _LONGEST_MARK and text.translate(_FULL_WIDTH).strip() in BLANK_MARKS
    return False


def to_text(value: Any) -> str:
    """Text with surrounding whitespace removed; a number keeps its typed digits (12 not 12.0)."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        return "" if is_blank(text) else text
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def plain_text(value: str) -> str | None:
    """``to_name(value)`` when it is sure to be the stripped text itself, else None.

    True of most name cells: longer than any blank mark, no line break to join.
    """
    text = value.strip()
    if len(text) > _LONGEST_MARK and "\n" not in text and "\r" not in text:
        return text
    return None


def to_line(value: Any) -> str:
    """Single-line text (a unit's or a person's name): whitespace runs become one space."""
    return _SPACES.sub(" ", to_text(value))


def to_name(value: Any) -> str:
    """A name or code as typed, minus line breaks (Excel's Alt+Enter wraps long names)."""
    text = to_text(value)
    if "\n" not in text and "\r" not in text:  # the usual case: nothing to join
        return text
    return _LINE_BREAKS.sub("", text)


def to_decimal(value: Any, *, units: Mapping[str, Decimal] | None = None) -> Decimal | None:
    """A number as Decimal, or None for a blank cell.

    ``units`` maps unit words a cell may carry (“万元”, “亿元” …) to the factor
    that converts them into the column's unit.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": shown(value)})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):  # no Excel number, but a NaN would crash the validators
            raise CellError(_("“%(value)s” is not a number.") % {"value": shown(value)})
        # 15 significant digits: Excel's own precision, which drops binary noise (0.1+0.2).
        return Decimal(format(value, ".15g"))
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise CellError(
            _("“%(value)s” is a date, but a number is expected here.") % {"value": shown(value)}
        )
    text = str(value).strip().translate(_FULL_WIDTH).replace(" ", "")
    if text in BLANK_MARKS:
        return None
    factor = Decimal(1)
    if units:
        for word in sorted(units, key=len, reverse=True):
            if word and text.endswith(word):
                text, factor = text[: -len(word)], units[word]
                break
    if "," in text:
        if not _GROUPED.match(text):
            raise CellError(
                _("“%(value)s” is not a number (commas may only separate thousands).")
                % {"value": shown(value)}
            )
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise CellError(_("“%(value)s” is not a number.") % {"value": shown(value)})
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid literals
        raise CellError(_("“%(value)s” is not a number.") % {"value": shown(value)}) from exc
    return number * factor if factor != 1 else number


def _make_date(year: int, month: int, day: int, raw: Any) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(
            _("“%(value)s” is not a real calendar date.") % {"value": shown(raw)}
        ) from exc


def to_date(value: Any) -> dt.date | None:
    """A date, or None for a blank cell."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a date.") % {"value": shown(value)})
    if isinstance(value, int | float):
        if float(value).is_integer() and 19500101 <= value <= 20991231:
            number = int(value)
            return _make_date(number // 10000, number // 100 % 100, number % 100, value)
        if _SERIAL_MIN <= value <= _SERIAL_MAX:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(_date_hint(value))
    text = str(value).strip().translate(_FULL_WIDTH)
    if text in BLANK_MARKS:
        return None
    match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if match:
        return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)), value)
    if _MONTH_ONLY.match(text):
        raise CellError(
            _("“%(value)s” gives only the month; enter the full date, e.g. 2026-03-15.")
            % {"value": shown(value)}
        )
    raise CellError(_date_hint(value))


def _date_hint(value: Any) -> str:
    return _(
        "“%(value)s” is not a date. Use e.g. 2026-03-15, 2026.3.15, 2026/3/15 or 2026年3月15日."
    ) % {"value": shown(value)}


def choice_key(text: str) -> str:
    """How choice words are compared: no spaces, no brackets, lower case, half-width."""
    return text.translate(_CHOICE_KEY).lower()


class ChoiceMap:
    """Words a ledger may use for each choice value (labels, codes, synonyms)."""

    def __init__(self, words: Mapping[str, Iterable[str]], *, shown_values: Iterable[str]) -> None:
        self._lookup: dict[str, str] = {}
        for value, synonyms in words.items():
            for word in synonyms:
                self._lookup.setdefault(choice_key(str(word)), value)
        self.shown_values = tuple(shown_values)

    def __call__(self, value: Any) -> str | None:
        text = to_text(value)
        if not text:
            return None
        found = self._lookup.get(choice_key(text))
        if found is None:
            raise CellError(
                _("Unknown value “%(value)s”. Valid values: %(choices)s.")
                % {"value": shown(value), "choices": brief_list(self.shown_values)}
            )
        return found


class _Refused:
    """A remembered refusal: the CellError's message."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


_MISSING = object()


def memoized(coerce: Callable[[Any], T], *, limit: int = 20000) -> Callable[[Any], T]:
    """Remember a coercer's answers (and refusals) for the values a column repeats.

    Vocabulary columns (stage, cluster, unit, leader …) hold a handful of
    distinct values over thousands of rows; this turns each repeat into one
    dictionary lookup. Text is its own key; other values are keyed with their
    type (1, 1.0 and True are equal but not the same cell).
    """
    cache: dict[Any, Any] = {}

    def run(raw: Any) -> T:
        key = raw if type(raw) is str else (type(raw), raw)
        hit = cache.get(key, _MISSING)
        if hit is _MISSING:
            try:
                hit = coerce(raw)
            except CellError as exc:
                hit = _Refused(str(exc))
            if len(cache) < limit:
                cache[key] = hit
        if type(hit) is _Refused:
            raise CellError(hit.message)
        return hit  # type: ignore[no-any-return]

    return run


def brief_list(values: Iterable[str], limit: int = 8) -> str:
    """“a、b、c … (12 in all)” for error messages that list what would be valid."""
    items = [v for v in values if v]
    if not items:
        return _("(none defined)")
    separator = pgettext("between list items", ", ")
    if len(items) <= limit:
        return separator.join(items)
    return _("%(items)s … (%(n)d in all)") % {
        "items": separator.join(items[:limit]),
        "n": len(items),
    }
