"""Mainland-China working days (public holidays and 调休 make-up days included).

Backed by chinesecalendar. A year it has no data for is an error with a
clear message, never a guess: a wrong deadline is worse than none.
"""

from __future__ import annotations

import calendar
import datetime as dt

import chinese_calendar
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        raise ValidationError(
            _(
                "No official holiday calendar is known for %(year)d yet; working days cannot be "
                "counted."
            )
            % {"year": day.year},
            code="calendar_year_missing",
        ) from exc


def working_dates_in_month(year: int, month: int) -> frozenset[dt.date]:
    """The month's working days; raises as ``is_working_day`` does."""
    days = calendar.monthrange(year, month)[1]
    dates = (dt.date(year, month, d) for d in range(1, days + 1))
    return frozenset(day for day in dates if is_working_day(day))


def working_days_in_month(year: int, month: int) -> int:
    return len(working_dates_in_month(year, month))


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days ``d`` with ``start < d ≤ end``: the start day is not counted (次日起算).

    A ValidationError (``calendar_year_missing``) when a year in between has no
    official holiday calendar yet.
    """
    days = range(1, (end - start).days + 1)
    return sum(is_working_day(start + dt.timedelta(days=i)) for i in days)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (次日起算): "due within n working days" ends there.

    A ValidationError (``calendar_year_missing``) as ``is_working_day``.
    """
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += is_working_day(day)
    return day


def is_provisional(day: dt.date) -> bool:
    """Whether ``day``'s year has no published State Council arrangement yet (预计)."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return True
    return False


def span_is_provisional(start: dt.date, end: dt.date) -> bool:
    """Whether a count from ``start`` to ``end`` passes through a year without a notice."""
    low, high = min(start, end), max(start, end)
    return any(is_provisional(dt.date(year, 1, 1)) for year in range(low.year, high.year + 1))
