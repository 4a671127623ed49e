"""The approval clock over ``core.calendar``: dates with their 预计 flag, and the 补录 rule.

``core.calendar`` counts every year (a year without a State Council notice by
the statutory holidays, marked provisional), so this module only pairs each
date with that flag, stored next to the date it produced
(``ApprovalItem.due_provisional``), and says when a move is a late entry.
"""

from __future__ import annotations

import datetime as dt

from zhaoshang.core import calendar
from zhaoshang.core.calendar import Marked


def is_working_day(day: dt.date) -> bool:
    return calendar.is_working_day(day)


def add_working_days(start: dt.date, n: int) -> Marked:
    """The n-th working day after ``start`` (次日起算), and whether it is 预计."""
    return calendar.add_working_days_marked(start, n)


def due_of(accepted_on: dt.date, promised_limit: int, paused_days: int) -> Marked:
    """An item's due date: the promised limit from 受理, later by the working days paused.

    The one formula the services (each move, pause) and a new holiday notice's
    recount (``deadlines``) both use.
    """
    return add_working_days(accepted_on, promised_limit + paused_days)


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
