"""Reads of work plans (工作方案), always scoped to the user first.

"Overdue" is derived here, never stored: a milestone is overdue when its due
date has passed (calendar days) and it is not done. The list annotates it in
SQL so it can be filtered, sorted and paged without a query per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from zhaoshang.core.calendar import add_working_days, working_days_between
from zhaoshang.core.models import Area
from zhaoshang.core.selectors import area_path_of, get_visible_or_404, scope_to_user

from ..choices import MilestoneStatus
from ..models import Milestone

MILESTONE_SORTS = {
    "due": ("due_date", "id"),
    "-due": ("-due_date", "-id"),
    "project": ("project__name", "due_date", "id"),
    "-project": ("-project__name", "due_date", "id"),
    "status": ("status", "due_date", "id"),
    "-status": ("-status", "due_date", "id"),
    "done": ("done_date", "id"),
    "-done": ("-done_date", "-id"),
    "overdue": ("-is_overdue", "due_date", "id"),
    "updated": ("-updated_at", "-id"),
}
DEFAULT_SORT = "overdue"


def overdue_q(today: dt.date | None = None) -> Q:
    """The overdue condition: due before today and not done."""
    return Q(due_date__lt=today or timezone.localdate()) & ~Q(status=MilestoneStatus.DONE)


def is_overdue(milestone: Milestone, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return milestone.status != MilestoneStatus.DONE and milestone.due_date < today


def late_working_days(milestone: Milestone) -> int | None:
    """Working days a done milestone was completed after its due date (逾期完成), else None.

    0 when it was done late on non-working days only; None as well when a year
    in between cannot be counted (before the calendar's first notice, after 2099).
    """
    done, due = milestone.done_date, milestone.due_date
    if done is None or done <= due:
        return None
    try:
        return working_days_between(due, done)
    except ValidationError:
        return None


def mark_lateness(milestones: Iterable[Milestone]) -> None:
    """Set ``done_late`` and ``done_late_days`` on each milestone shown (a page, a plan)."""
    for m in milestones:
        m.done_late = m.done_date is not None and m.done_date > m.due_date  # type: ignore[attr-defined]
        m.done_late_days = late_working_days(m)  # type: ignore[attr-defined]


def milestones_visible_to(user: Any) -> QuerySet[Milestone]:
    """Milestones of the areas the user may see (``area`` is the project's area)."""
    return scope_to_user(Milestone.objects.all(), user, area_field="area")


def with_overdue(
    milestones: QuerySet[Milestone], today: dt.date | None = None
) -> QuerySet[Milestone]:
    return milestones.annotate(
        is_overdue=Case(
            When(overdue_q(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def milestone_list(
    user: Any, filters: dict[str, Any] | None = None, *, today: dt.date | None = None
) -> QuerySet[Milestone]:
    """All milestones the user may see, filtered and sorted; one query per page."""
    filters = filters or {}
    rows = with_overdue(milestones_visible_to(user), today).select_related(
        "project", "area", "leader__unit", "unit", "responsible_person__unit"
    )
    exact = {
        "project": "project_id",
        "status": "status",
        "leader": "leader_id",
        "unit": "unit_id",
    }
    for key, lookup in exact.items():
        value = filters.get(key)
        if value not in (None, ""):
            rows = rows.filter(**{lookup: getattr(value, "pk", value)})
    if filters.get("area"):
        rows = rows.filter(area__path__startswith=area_path_of(filters["area"]))
    if filters.get("overdue"):
        rows = rows.filter(overdue_q(today))
    if filters.get("q"):
        q = filters["q"]
        rows = rows.filter(
            Q(title__icontains=q) | Q(project__name__icontains=q) | Q(responsible_person__name=q)
        )
    return rows.order_by(
        *MILESTONE_SORTS.get(filters.get("sort") or "", MILESTONE_SORTS[DEFAULT_SORT])
    )


def milestone_or_404(user: Any, pk: int) -> Milestone:
    return get_visible_or_404(
        with_overdue(milestones_visible_to(user)).select_related(
            "project",
            "project__area",
            "area",
            "leader__unit",
            "unit",
            "responsible_person__unit",
        ),
        pk=pk,
    )


def project_milestones(project: Any, today: dt.date | None = None) -> list[Milestone]:
    """One project's work plan in due order, with ``is_overdue`` and lateness; one query.

    The caller has already fetched ``project`` through a scoped selector.
    """
    milestones = list(
        with_overdue(Milestone.objects.filter(project=project), today)
        .select_related("leader", "unit", "responsible_person")
        .order_by("due_date", "id")
    )
    mark_lateness(milestones)
    return milestones


def plan_summary(milestones: list[Milestone]) -> dict[str, int]:
    """Counts for a work plan's header: total, done, overdue."""
    return {
        "total": len(milestones),
        "done": sum(m.status == MilestoneStatus.DONE for m in milestones),
        "overdue": sum(bool(getattr(m, "is_overdue", False)) for m in milestones),
    }


def overdue_milestones(
    user: Any, *, area: Area | None = None, limit: int = 10, today: dt.date | None = None
) -> list[Milestone]:
    """The most overdue milestones the user may see (oldest due date first), for dashboards.

    ``area`` narrows to that area and below (it is intersected with the user's
    scope, so naming an area the user may not see yields nothing). One query.
    """
    rows = milestones_visible_to(user).filter(overdue_q(today))
    if area is not None:
        rows = rows.filter(area__path__startswith=area.path)
    return list(
        with_overdue(rows, today)
        .select_related("project", "area", "leader", "unit", "responsible_person")
        .order_by("due_date", "id")[:limit]
    )


def overdue_count(user: Any, *, area: Area | None = None, today: dt.date | None = None) -> int:
    rows = milestones_visible_to(user).filter(overdue_q(today))
    if area is not None:
        rows = rows.filter(area__path__startswith=area.path)
    return rows.count()


#: 首页: milestones due within this many working days are shown with the overdue ones
DUE_SOON_WORKING_DAYS = 5


def due_soon_until(today: dt.date) -> dt.date:
    """The last day "due soon" covers; a week of calendar days when the coming days
    cannot be counted (after 2099: better shown than hidden)."""
    try:
        return add_working_days(today, DUE_SOON_WORKING_DAYS)
    except ValidationError:
        return today + dt.timedelta(days=7)


def my_due_milestones(
    user: Any, *, whole_area: bool, limit: int = 10, today: dt.date | None = None
) -> tuple[list[Milestone], int]:
    """Open milestones overdue or due within 5 working days, most urgent first, and how many.

    The ones the user leads or is responsible for; with ``whole_area`` (investment
    officers) every one of the user's areas. Two queries.
    """
    today = today or timezone.localdate()
    rows = (
        milestones_visible_to(user)
        .filter(due_date__lte=due_soon_until(today))
        .exclude(status=MilestoneStatus.DONE)
    )
    if not whole_area:
        rows = rows.filter(Q(leader__user=user) | Q(responsible_person__user=user))
    page = with_overdue(rows, today).select_related("project", "area", "responsible_person")
    return list(page.order_by("due_date", "id")[:limit]), rows.count()
