"""The approval clock over ``core.calendar``: dates with their 预计 flag, and the 补录 rule.

``core.calendar`` counts every year (a year without a State Council notice by
the statutory holidays, marked provisional), so this module only pairs each
date with that flag, stored next to the date it produced
(``ApprovalItem.due_provisional``), and says when a move is a late entry.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from zhaoshang.core import calendar


class Counted(NamedTuple):
    """A date and whether a year without a notice was passed through (预计)."""

    value: dt.date
    provisional: bool


def is_working_day(day: dt.date) -> bool:
    return calendar.is_working_day(day)


def add_working_days(start: dt.date, n: int) -> Counted:
    """The n-th working day after ``start`` (次日起算), and whether it is 预计."""
    marked = calendar.add_working_days_marked(start, n)
    return Counted(marked.date, marked.provisional)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days ``d`` with ``start < d ≤ end`` (0 when ``end ≤ start``)."""
    return calendar.working_days_between(start, end) if end > start else 0


def span_is_provisional(start: dt.date, end: dt.date) -> bool:
    return calendar.span_is_provisional(start, end)


#: an event dated more than this many working days before it is entered is a 补录
LATE_ENTRY_WORKING_DAYS = 2


def is_late_entry(event_date: dt.date, entered: dt.date) -> bool:
    """补录: the move happened more than 2 working days before the day it was entered."""
    return working_days_between(event_date, entered) > LATE_ENTRY_WORKING_DAYS
