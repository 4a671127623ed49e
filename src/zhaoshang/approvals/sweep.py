"""The daily sweep of approval clocks: store each item's light and overdue flag, set-based.

One UPDATE per light (``UPDATE … SET light=… WHERE <its condition> AND light <> …``),
never a loop over rows, so 1M items take a handful of statements; only rows whose
light changes are written, so a second run the same day writes nothing and
reports nothing new. ``light_since`` records the day a light was set: the rows
that turned 黄 or 红 today are who must be told (``selectors.to_notify``).

``sweep_approvals`` is the step registered with ``core.sweep``: the lights,
then one ``notify_query`` per kind — every 红 item's agent gets
``approval_overdue`` and every 黄 one's ``approval_due``, once per item and due
date (the key holds the date, so a deadline moved and missed again is told again).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.choices import AlertKind
from zhaoshang.core.services import notify_query, text_expr, text_of

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


STEP_NAME = "approvals.items"
STEP_LABEL = gettext_lazy("Approval items")


def item_events(rows: QuerySet[ApprovalItem], prefix: str) -> QuerySet[ApprovalItem]:
    """``rows`` annotated as ``notify_query`` events for their agents (``EVENT_FIELDS``)."""
    overdue = prefix == "approval-overdue"
    return rows.annotate(
        alert_recipient=F("agent__user_id"),
        alert_area=F("area_id"),
        alert_title=text_expr(
            _("Approval overdue: %(item)s") if overdue else _("Approval due soon: %(item)s"),
            item=F("item_type__name"),
        ),
        alert_body=text_expr(
            _("%(project)s: “%(item)s” is due on %(due)s (promised limit)."),
            project=F("project__name"),
            item=F("item_type__name"),
            due=text_of("due_date"),
        ),
        alert_link=Concat(
            Value("/approvals/projects/"),
            text_of("project_id"),
            Value("/"),
            output_field=CharField(),
        ),
        alert_object_type=Value("approvals.approvalitem"),
        alert_object_id=text_of("id"),
        alert_key=Concat(
            Value(f"{prefix}:"),
            text_of("id"),
            Value(":"),
            text_of("due_date"),
            output_field=CharField(),
        ),
    )


def sweep_approvals(today: dt.date) -> dict[str, Any]:
    """The daily step: store the lights, then tell the agents of every 红 and 黄 item once.

    Answers the new alerts by kind (what ``zhaoshang sweep`` prints); the lights'
    own counts are ``sweep``'s answer.
    """
    sweep(today)
    red = ApprovalItem.objects.filter(light=Light.RED)
    yellow = ApprovalItem.objects.filter(light=Light.YELLOW)
    return {
        AlertKind.APPROVAL_OVERDUE.value: notify_query(
            kind=AlertKind.APPROVAL_OVERDUE, events=item_events(red, "approval-overdue")
        ),
        AlertKind.APPROVAL_DUE.value: notify_query(
            kind=AlertKind.APPROVAL_DUE, events=item_events(yellow, "approval-due")
        ),
    }


def register_sweep() -> None:
    from zhaoshang.core.sweep import register_sweep_step

    register_sweep_step(STEP_NAME, sweep_approvals, STEP_LABEL)
