"""The approval clock's two rules over ``core.calendar``: the due date and the 补录.

Counting itself is ``core.calendar``'s (every year, a year without a State
Council notice marked 预计); the due date's flag is stored next to it
(``ApprovalItem.due_provisional``).
"""

from __future__ import annotations

import datetime as dt

from zhaoshang.core import calendar
from zhaoshang.core.calendar import Marked


def due_of(accepted_on: dt.date, promised_limit: int, paused_days: int) -> Marked:
    """An item's due date: the promised limit from 受理, later by the working days paused.

    The one formula the services (each move, pause) and a new holiday notice's
    recount (``deadlines``) both use.
    """
    return calendar.add_working_days_marked(accepted_on, promised_limit + paused_days)


#: an event dated more than this many working days before it is entered is a 补录
LATE_ENTRY_WORKING_DAYS = 2


def is_late_entry(event_date: dt.date, entered: dt.date) -> bool:
    """补录: the move happened more than 2 working days before the day it was entered."""
    return calendar.working_days_between(event_date, entered) > LATE_ENTRY_WORKING_DAYS
