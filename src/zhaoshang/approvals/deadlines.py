"""Approval due dates recomputed when a year's State Council notice is entered.

Registered with ``core.calendar.register_deadline_recompute``: an item on the
clock whose count from 受理 passes through one of the notice's years is counted
again with the new days (``clock.due_of``, as the services count it), and
every item whose date or 预计 flag changed is returned as a ``DeadlineMove``
for its agent. Core records each move (``DeadlineChange`` + audit) and tells
the agent in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q

from zhaoshang.core.calendar import DeadlineMove, Marked

from . import clock
from .choices import ItemStatus
from .models import ApprovalItem


def _touching(years: set[int]) -> Q:
    """Items whose count from 受理 to the due date passes through one of ``years``."""
    first, last = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
    return Q(accepted_on__lte=last) & (Q(due_date__gte=first) | Q(due_provisional=True))


def recompute_due_dates(years: set[int]) -> list[DeadlineMove]:
    """Count every running item touching ``years`` again; the ones that moved."""
    items = (
        ApprovalItem.objects.filter(_touching(years) if years else Q(pk__in=[]))
        .filter(status=ItemStatus.ACCEPTED, accepted_on__isnull=False, due_date__isnull=False)
        .select_related("item_type", "project", "agent")
        .order_by("id")
    )
    moves = []
    for item in items:
        start, old = item.accepted_on, item.due_date
        if start is None or old is None:  # excluded by the query; for the type checker
            continue
        counted = clock.due_of(start, item.promised_limit, item.paused_days)
        if (counted.date, counted.provisional) == (old, item.due_provisional):
            continue
        moves.append(_move(item, old, counted))
        ApprovalItem.objects.filter(pk=item.pk).update(  # an open form of it is now stale
            due_date=counted.date, due_provisional=counted.provisional, version=F("version") + 1
        )
    return moves


def _move(item: ApprovalItem, old: dt.date, counted: Marked) -> DeadlineMove:
    owner = item.agent.user_id if item.agent is not None else None
    return DeadlineMove(
        object_type="approvals.approvalitem",
        object_id=str(item.pk),
        object_repr=f"{item.project.name} · {item.item_type.name}",
        old_date=old,
        new_date=counted.date,
        old_provisional=item.due_provisional,
        new_provisional=counted.provisional,
        area_id=item.area_id,
        owner_user_ids=(owner,) if owner else (),
    )


def register_deadlines() -> None:
    from zhaoshang.core.calendar import register_deadline_recompute

    register_deadline_recompute(recompute_due_dates)
