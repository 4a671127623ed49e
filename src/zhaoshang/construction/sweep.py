"""The work plans' step of the daily sweep: overdue and due-soon milestones → alerts.

Milestones store no overdue flag (it is derived, ``selectors.workplan``), so
the alerts are this step's whole output: one ``INSERT … SELECT`` per kind
over every area at once, no row visited in Python. Each alert goes to the
responsible person's login account (a Person without one reaches only the
area's group robots). The key holds the due date, so a milestone whose
date is moved and then missed again is reported again, once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.choices import AlertKind
from zhaoshang.core.services import notify_query, text_expr, text_of

from .choices import MilestoneStatus
from .models import Milestone
from .selectors.workplan import overdue_q

#: "due soon" for the sweep: due within this many working days (次日起算)
DUE_WORKING_DAYS = 1

STEP_NAME = "construction.milestones"
STEP_LABEL = gettext_lazy("Work-plan milestones")


def milestone_events(rows: QuerySet[Milestone], prefix: str) -> QuerySet[Milestone]:
    """``rows`` annotated as ``notify_query`` events (``EVENT_FIELDS``)."""
    return rows.annotate(
        alert_recipient=F("responsible_person__user_id"),
        alert_area=F("area_id"),
        alert_title=text_expr(
            _("Milestone overdue: %(title)s")
            if prefix == "milestone-overdue"
            else _("Milestone due soon: %(title)s"),
            title=F("title"),
        ),
        alert_body=text_expr(
            _("%(project)s: “%(title)s” is due on %(due)s and is not done."),
            project=F("project__name"),
            title=F("title"),
            due=text_of("due_date"),
        ),
        alert_link=Concat(
            Value("/construction/projects/"),
            text_of("project_id"),
            Value("/workplan/"),
            output_field=CharField(),
        ),
        alert_object_type=Value("construction.milestone"),
        alert_object_id=text_of("id"),
        alert_key=Concat(
            Value(f"{prefix}:"),
            text_of("id"),
            Value(":"),
            text_of("due_date"),
            output_field=CharField(),
        ),
    )


def due_until(today: dt.date) -> dt.date:
    """The last due date counted as "due soon": the next working day; tomorrow when the
    calendar of the coming days is not known (an alert too early beats one too late)."""
    from zhaoshang.core.calendar import add_working_days

    try:
        return add_working_days(today, DUE_WORKING_DAYS)
    except ValidationError:
        return today + dt.timedelta(days=1)


def sweep_milestones(today: dt.date) -> dict[str, Any]:
    """Alert every overdue milestone's and every soon-due one's responsible person, once."""
    open_rows = Milestone.objects.exclude(status=MilestoneStatus.DONE)
    overdue = open_rows.filter(overdue_q(today))
    due = open_rows.filter(due_date__gte=today, due_date__lte=due_until(today))
    return {
        AlertKind.MILESTONE_OVERDUE.value: notify_query(
            kind=AlertKind.MILESTONE_OVERDUE, events=milestone_events(overdue, "milestone-overdue")
        ),
        AlertKind.MILESTONE_DUE.value: notify_query(
            kind=AlertKind.MILESTONE_DUE, events=milestone_events(due, "milestone-due")
        ),
    }


def register_sweep() -> None:
    from zhaoshang.core.sweep import register_sweep_step

    register_sweep_step(STEP_NAME, sweep_milestones, STEP_LABEL)
