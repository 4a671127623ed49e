"""The approval clock over ``core.calendar``: counts that never stop work.

``core.calendar`` raises ``calendar_year_missing`` for a year without a
published holiday arrangement (until its rewrite to a table with statutory
holidays). An approval clock must not stop in December, so here such a count
falls back to Monday–Friday and says so: every result comes with
``provisional`` (预计), stored next to the date it produced.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.core.exceptions import ValidationError

from zhaoshang.core import calendar


class Counted(NamedTuple):
    """A date (or a count) and whether a year without a notice was passed through (预计)."""

    value: dt.date
    provisional: bool


def _weekday(day: dt.date) -> bool:
    return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    try:
        return calendar.is_working_day(day)
    except ValidationError:
        return _weekday(day)


def add_working_days(start: dt.date, n: int) -> Counted:
    """The n-th working day after ``start`` (次日起算), and whether it is 预计."""
    try:
        end = calendar.add_working_days(start, n)
    except ValidationError:
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            counted += is_working_day(day)
        return Counted(day, True)
    return Counted(end, calendar.span_is_provisional(start, end))


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days ``d`` with ``start < d ≤ end`` (0 when ``end ≤ start``)."""
    if end <= start:
        return 0
    try:
        return calendar.working_days_between(start, end)
    except ValidationError:
        days = range(1, (end - start).days + 1)
        return sum(is_working_day(start + dt.timedelta(days=i)) for i in days)


def span_is_provisional(start: dt.date, end: dt.date) -> bool:
    return calendar.span_is_provisional(start, end)


#: an event dated more than this many working days before it is entered is a 补录
LATE_ENTRY_WORKING_DAYS = 2


def is_late_entry(event_date: dt.date, entered: dt.date) -> bool:
    """补录: the move happened more than 2 working days before the day it was entered."""
    return working_days_between(event_date, entered) > LATE_ENTRY_WORKING_DAYS
