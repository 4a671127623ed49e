"""Reads of the clock: working days used, paused and left, and 容缺 promises."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zhaoshang.core import calendar
from zhaoshang.core.selectors import get_visible_or_404, scope_to_user

from ..choices import ItemStatus
from ..models import ApprovalItem, ApprovalPause, ApprovalPromise


def late_days(item: ApprovalItem) -> int | None:
    """Working days a concluded item went past its due date (None: on time or not done)."""
    if item.done_on is None or item.due_date is None or item.done_on <= item.due_date:
        return None
    return calendar.working_days_between(item.due_date, item.done_on)


def days_left(item: ApprovalItem, today: dt.date) -> int | None:
    """Working days left to the due date (negative: overdue by that many), running items only."""
    if item.status != ItemStatus.ACCEPTED or item.due_date is None:
        return None
    if item.due_date >= today:
        return calendar.working_days_between(today, item.due_date)
    return -calendar.working_days_between(item.due_date, today)


@dataclass(frozen=True)
class Bar:
    """One item's Gantt-like bar: working days used, paused and allowed, as percentages."""

    used: int
    paused: int
    allowed: int
    used_pct: float
    paused_pct: float
    allowed_pct: float


def bar_for(item: ApprovalItem, pauses: list[ApprovalPause], today: dt.date) -> Bar | None:
    """Days used since 受理 (not counting pauses), days paused, the promised limit."""
    if item.accepted_on is None:
        return None
    end = item.done_on or today
    paused = sum(pause_days(p, today) for p in pauses)
    used = max(calendar.working_days_between(item.accepted_on, end) - paused, 0)
    allowed = item.promised_limit
    scale = max(allowed, used) + paused or 1
    return Bar(
        used,
        paused,
        allowed,
        round(100 * used / scale, 1),
        round(100 * paused / scale, 1),
        round(100 * allowed / scale, 1),
    )


def pause_days(pause: ApprovalPause, today: dt.date) -> int:
    """Working days a pause has held the clock (an open one: up to today)."""
    if pause.end is not None:
        return pause.working_days
    return calendar.working_days_between(pause.start, today)


def _union_working_days(
    stretches: list[tuple[dt.date, dt.date]], low: dt.date, high: dt.date
) -> int:
    """Working days covered by any stretch (``start < d ≤ end``), clipped to (low, high]."""
    merged: list[list[dt.date]] = []
    for start, end in sorted((max(s, low), min(e, high)) for s, e in stretches):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return sum(calendar.working_days_between(s, e) for s, e in merged)


def promise_or_404(user: Any, pk: int) -> ApprovalPromise:
    rows = scope_to_user(ApprovalPromise.objects.all(), user, area_field="item__area")
    return get_visible_or_404(rows.select_related("item__area", "item__item_type"), pk=pk)
