"""The daily sweep of approval clocks: store each item's light and overdue flag, set-based.

One UPDATE per light (``UPDATE … SET light=… WHERE <its condition> AND light <> …``),
never a loop over rows, so 1M items take a handful of statements; only rows whose
light changes are written, so a second run the same day writes nothing and
reports nothing new. ``light_since`` records the day a light was set: the rows
that turned 黄 or 红 today are who must be told (``selectors.to_notify``).

The integrator wires ``sweep`` into the core sweep registry and the alerts;
this module imports neither.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from .choices import ITEM_DONE, ItemStatus, Light
from .models import ApprovalItem, ApprovalPause
from .selectors import yellow_until


def light_conditions(today: dt.date) -> list[tuple[str, Q]]:
    """Each light with the rows it belongs to, mutually exclusive, in ``light_case`` order."""
    done = Q(status__in=ITEM_DONE)
    late = done & Q(due_date__isnull=False, done_on__gt=F("due_date"))
    running = Q(status=ItemStatus.ACCEPTED, due_date__isnull=False)
    paused = Q(Exists(ApprovalPause.objects.filter(item=OuterRef("pk"), end__isnull=True)))
    ticking = running & ~paused
    return [
        (Light.LATE, late),
        (Light.DONE, done & ~late),
        (Light.PAUSED, running & paused),
        (Light.RED, ticking & Q(due_date__lt=today)),
        (
            Light.YELLOW,
            ticking & Q(due_date__gte=today, due_date__lte=yellow_until(today)),
        ),
        (Light.GREEN, ticking & Q(due_date__gt=yellow_until(today))),
        (Light.NONE, ~done & ~running),
    ]


def sweep(today: dt.date) -> dict[str, int]:
    """Set every item's stored light and overdue flag as of ``today``.

    Returns how many rows took each light in this run (``"red": 3`` …) and
    ``"notify"``: how many turned 黄 or 红 and must be told (their agents; the
    rows are ``selectors.to_notify(today)``). Idempotent.
    """
    counts: dict[str, int] = {}
    with transaction.atomic():
        for light, condition in light_conditions(today):
            counts[light or "none"] = (
                ApprovalItem.objects.filter(condition)
                .exclude(light=light)
                .update(light=light, light_since=today, overdue=light in (Light.RED, Light.LATE))
            )
    counts["notify"] = counts[Light.RED] + counts[Light.YELLOW]
    return counts
