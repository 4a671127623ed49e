"""Mainland-China working days (public holidays and 调休 make-up days included).

The calendar table (``CalendarNotice`` and its ``CalendarDay`` rows) holds each
year's State Council arrangement; a year without a notice counts the statutory
holidays of 国务院令第795号 (``core.holiday_rules``) and is *provisional* (预计):
every date counted through it says so, and is recomputed when the notice is
entered (``register_deadline_recompute``). Work never stops for a missing year.

Speed: counting runs against a process-level snapshot, built from the table
once: a sorted list of working-day ordinals and, per day of the window, how
many working days there are up to it, so ``add_working_days`` is two list
indexings. The snapshot is dropped at once in the process that enters a
notice (``invalidate``); other processes (web workers, the huey consumer) ask
the database for the notices' stamp at most every ``RECHECK_SECONDS`` and
rebuild when it changed. A database query rather than the Django cache, since
the default cache is per process (LocMem) and a worker must not count with
last year's table for ever. Tests reset it with ``reset``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from .choices import CalendarDayKind
from .holiday_rules import FIRST_YEAR, LAST_YEAR, statutory_holidays
from .models import CalendarDay, CalendarNotice

#: Another process's notice is seen within this many seconds.
RECHECK_SECONDS = 30.0
#: Years counted either side of today and of the table when the snapshot is first built.
MARGIN_YEARS = 3


class Marked(NamedTuple):
    """A counted date and whether a year without a notice was counted through (预计)."""

    date: dt.date
    provisional: bool


class Counted(NamedTuple):
    """A number of working days and whether it passed through a provisional year."""

    days: int
    provisional: bool


@dataclass(frozen=True)
class DeadlineMove:
    """One deadline a recompute hook moved; ``core.services`` records it as a DeadlineChange.

    ``owner_user_ids`` are the people to tell (the alert machinery's business,
    through ``register_deadline_moved``); ``area_id`` scopes who may see the record.
    """

    object_type: str
    object_id: str
    object_repr: str
    old_date: dt.date
    new_date: dt.date
    old_provisional: bool
    new_provisional: bool
    area_id: int | None = None
    owner_user_ids: tuple[int, ...] = field(default=())


#: fn(years) → the deadlines it moved, run in the notice's transaction after its days are written.
RecomputeHook = Callable[[set[int]], list[DeadlineMove]]
#: fn(changes, moves) → None, run in the same transaction once the changes are recorded.
MovedHook = Callable[[list[Any], list[DeadlineMove]], None]

_recompute_hooks: list[RecomputeHook] = []
_moved_hooks: list[MovedHook] = []


def register_deadline_recompute(fn: RecomputeHook) -> RecomputeHook:
    """Have ``fn`` recompute its app's open deadlines when a year's notice is entered.

    Called from an app's ``AppConfig.ready()``; ``fn`` gets the years whose
    arrangement changed, rewrites the deadlines that count through them and
    returns each one that moved. Registering the same function twice is a no-op.
    """
    if fn not in _recompute_hooks:
        _recompute_hooks.append(fn)
    return fn


def unregister_deadline_recompute(fn: RecomputeHook) -> None:
    if fn in _recompute_hooks:
        _recompute_hooks.remove(fn)


def deadline_recompute_hooks() -> tuple[RecomputeHook, ...]:
    return tuple(_recompute_hooks)


def register_deadline_moved(fn: MovedHook) -> MovedHook:
    """Have ``fn`` told of every recorded move (the hook point for alerting the owners).

    ``fn(changes, moves)`` runs inside the notice's transaction, so an alert
    written to an outbox there commits or rolls back with the moves.
    """
    if fn not in _moved_hooks:
        _moved_hooks.append(fn)
    return fn


def unregister_deadline_moved(fn: MovedHook) -> None:
    if fn in _moved_hooks:
        _moved_hooks.remove(fn)


def deadline_moved_hooks() -> tuple[MovedHook, ...]:
    return tuple(_moved_hooks)


# --- the snapshot -----------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    """Working days of the years ``low``…``high`` as ordinals, and the notice years."""

    stamp: tuple[Any, ...]
    floor: int  # the first year with a notice: earlier years are not counted
    low: int
    high: int
    first: int  # ordinal of 1 January of ``low``
    working: list[int]  # the working days' ordinals, ascending
    upto: list[int]  # upto[i]: working days with ordinal ≤ first + i
    notice_years: frozenset[int]


_snapshot: _Snapshot | None = None
_next_check = 0.0


def _stamp() -> tuple[Any, ...]:
    """What changes whenever a notice is entered, replaced or deleted (one small query)."""
    row = CalendarNotice.objects.aggregate(n=Count("id"), at=Max("entered_at"), top=Max("id"))
    return (row["n"], row["at"], row["top"])


def _out_of_range(year: int) -> ValidationError:
    return ValidationError(
        _("Working days can be counted only between %(first)d and %(last)d, not in %(year)d.")
        % {"first": FIRST_YEAR, "last": LAST_YEAR, "year": year},
        code="calendar_out_of_range",
    )


def _before_table(year: int) -> ValidationError:
    """A year before the first notice: other holiday rules were in force, none is guessed."""
    return ValidationError(
        _("No official holiday calendar is known for %(year)d yet; working days cannot be counted.")
        % {"year": year},
        code="calendar_year_missing",
    )


def _exceptions(low: int, high: int, notice_years: frozenset[int]) -> dict[int, str]:
    """Ordinal → kind of every date in the years that is not Monday–Friday as usual."""
    rows = CalendarDay.objects.filter(
        date__gte=dt.date(low, 1, 1), date__lte=dt.date(high, 12, 31)
    ).values_list("date", "kind")
    kinds = {day.toordinal(): kind for day, kind in rows}
    for year in range(low, high + 1):
        if year not in notice_years:
            for day in statutory_holidays(year):
                kinds[day.toordinal()] = CalendarDayKind.HOLIDAY
    return kinds


def _build(low: int, high: int) -> _Snapshot:
    stamp = _stamp()
    notice_years = frozenset(CalendarNotice.objects.values_list("year", flat=True))
    floor = min(notice_years, default=FIRST_YEAR)
    low, high = max(low, floor), max(high, floor)
    kinds = _exceptions(low, high, notice_years)
    first, last = dt.date(low, 1, 1).toordinal(), dt.date(high, 12, 31).toordinal()
    working: list[int] = []
    upto: list[int] = []
    for ordinal in range(first, last + 1):
        kind = kinds.get(ordinal)
        # ordinal 1 (0001-01-01) is a Monday: (ordinal - 1) % 7 is the weekday
        if kind == CalendarDayKind.WORKDAY or (kind is None and (ordinal - 1) % 7 < 5):
            working.append(ordinal)
        upto.append(len(working))
    return _Snapshot(stamp, floor, low, high, first, working, upto, notice_years)


def _window(years: Iterable[int]) -> tuple[int, int]:
    today = dt.date.today().year
    wanted = [*years, today - MARGIN_YEARS, today + MARGIN_YEARS]
    if _snapshot is not None:
        wanted += [_snapshot.low, _snapshot.high]
    low, high = max(min(wanted), FIRST_YEAR), min(max(wanted), LAST_YEAR)
    return low, high


def _current(*years: int) -> _Snapshot:
    """The snapshot, rebuilt when stale or when it does not cover ``years``.

    A ValidationError for a year after 2099 or before 1901 (no lunar dates) and
    for a year before the table's first notice (the holiday law was another).
    """
    global _snapshot, _next_check
    for year in years:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise _out_of_range(year)
    now = time.monotonic()
    snap = _snapshot
    if snap is not None and now >= _next_check:
        _next_check = now + RECHECK_SECONDS
        if _stamp() != snap.stamp:
            snap = None
    if snap is None or any(snap.floor <= y and not snap.low <= y <= snap.high for y in years):
        snap = _build(*_window(years))
        _snapshot = snap
        _next_check = now + RECHECK_SECONDS
    for year in years:
        if year < snap.floor:
            raise _before_table(year)
    return snap


def invalidate() -> None:
    """Drop this process's snapshot: the next count reads the table again."""
    global _snapshot
    _snapshot = None


def reset() -> None:
    """Drop the snapshot and its window (tests: each starts from the table as it is)."""
    global _snapshot, _next_check
    _snapshot = None
    _next_check = 0.0


def warm() -> object:
    """Build the snapshot now (so that a request's query count does not pay for it); returns it."""
    return _current()


def restore(state: object) -> None:
    """Put back a snapshot ``warm`` returned, rechecked only after ``RECHECK_SECONDS``.

    For tests: each runs in a transaction that is rolled back, so a notice a
    test entered must not stay in the snapshot the next test counts with.
    """
    global _snapshot, _next_check
    _snapshot = state if isinstance(state, _Snapshot) else None
    _next_check = time.monotonic() + RECHECK_SECONDS


# --- the public functions -----------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day (a 调休 Saturday is; a weekday holiday is not)."""
    snap = _current(day.year)
    i = day.toordinal() - snap.first
    return snap.upto[i] - (snap.upto[i - 1] if i else 0) == 1


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (次日起算): "due within n working days" ends there.

    ``start`` itself when ``n`` ≤ 0. Never raises for a year without a notice
    after the table's first (see ``add_working_days_marked`` for the 预计 flag);
    a ValidationError only before the first notice (``calendar_year_missing``)
    or after 2099 (``calendar_out_of_range``).
    """
    if n <= 0:
        return start
    snap = _snapshot
    if snap is None or time.monotonic() >= _next_check:
        snap = _current(start.year)
    i = start.toordinal() - snap.first
    if 0 <= i < len(snap.upto):
        k = snap.upto[i] + n - 1
        if k < len(snap.working):
            return dt.date.fromordinal(snap.working[k])
    return _add_slowly(start, n)


def _add_slowly(start: dt.date, n: int) -> dt.date:
    """``add_working_days`` when the snapshot does not reach: widen it, a few years at a time."""
    snap = _current(start.year)
    high = snap.high
    while True:
        i = start.toordinal() - snap.first
        k = snap.upto[i] + n - 1
        if k < len(snap.working):
            return dt.date.fromordinal(snap.working[k])
        if high >= LAST_YEAR:
            raise _out_of_range(high + 1)
        high = min(high + max(MARGIN_YEARS, n // 240 + 1), LAST_YEAR)
        snap = _current(start.year, high)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days ``d`` with ``start < d ≤ end``: the start day is not counted (次日起算).

    0 when ``end`` is not after ``start``.
    """
    if end <= start:
        return 0
    snap = _current(start.year, end.year)
    return snap.upto[end.toordinal() - snap.first] - snap.upto[start.toordinal() - snap.first]


def working_dates_in_month(year: int, month: int) -> frozenset[dt.date]:
    """The month's working days."""
    days = calendar.monthrange(year, month)[1]
    first = dt.date(year, month, 1)
    snap = _current(year)
    low = bisect_left(snap.working, first.toordinal())
    high = bisect_right(snap.working, first.toordinal() + days - 1)
    return frozenset(dt.date.fromordinal(o) for o in snap.working[low:high])


def working_days_in_month(year: int, month: int) -> int:
    return len(working_dates_in_month(year, month))


def is_provisional(day: dt.date) -> bool:
    """Whether ``day``'s year has no published State Council arrangement yet (预计)."""
    return day.year not in _current().notice_years


def span_is_provisional(start: dt.date, end: dt.date) -> bool:
    """Whether a count from ``start`` to ``end`` passes through a year without a notice."""
    low, high = min(start, end), max(start, end)
    years = _current().notice_years
    return any(year not in years for year in range(low.year, high.year + 1))


def add_working_days_marked(start: dt.date, n: int) -> Marked:
    """``add_working_days`` and whether the result is 预计 (a year counted without a notice)."""
    day = add_working_days(start, n)
    return Marked(day, span_is_provisional(start, day))


def working_days_between_marked(start: dt.date, end: dt.date) -> Counted:
    """``working_days_between`` and whether it counted through a year without a notice."""
    return Counted(working_days_between(start, end), span_is_provisional(start, end))


def provisional_years(low: int, high: int) -> list[int]:
    """The years from ``low`` to ``high`` that have no notice yet."""
    years = _current().notice_years
    return [year for year in range(low, high + 1) if year not in years]


class ArrangedDay(NamedTuple):
    """A date that is not Monday–Friday as usual: a holiday or a 调休 working day."""

    date: dt.date
    kind: str
    name: str
    provisional: bool


def arrangement(start: dt.date, end: dt.date) -> list[ArrangedDay]:
    """The holidays and 调休 days from ``start`` to ``end`` (both included), in date order.

    A year with a notice gives its rows; a year without one its statutory
    holidays, each marked provisional. Two queries at most.
    """
    years = _current().notice_years
    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list(
        "date", "kind", "name"
    )
    days = [ArrangedDay(d, kind, name, False) for d, kind, name in rows]
    for year in range(start.year, end.year + 1):
        if year not in years and FIRST_YEAR <= year <= LAST_YEAR:
            days += [
                ArrangedDay(d, CalendarDayKind.HOLIDAY, name, True)
                for d, name in statutory_holidays(year).items()
                if start <= d <= end
            ]
    return sorted(days)


def notices(low: int, high: int) -> dict[int, CalendarNotice]:
    """The notices of the years ``low``…``high``, by year (one query)."""
    return {n.year: n for n in CalendarNotice.objects.filter(year__gte=low, year__lte=high)}
