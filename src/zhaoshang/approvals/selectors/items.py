"""Reads of approval items: the light (电子监察) in SQL, the board, the tracker, 首页.

The lights are computed here, live, in SQL: with today's date and the date one
working day ahead computed once in Python, "overdue" and "one working day or less
left" are plain date comparisons, so the board can filter, sort and page by light
in one query. ``sweep`` stores the same answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from zhaoshang.core import calendar
from zhaoshang.core.selectors import get_visible_or_404, scope_to_user
from zhaoshang.projects.models import Project
from zhaoshang.projects.selectors import projects_visible_to

from ..choices import ITEM_DONE, ItemStatus, Light
from ..models import ApprovalEvent, ApprovalItem, ApprovalPause, ApprovalPromise
from .catalogue import settings_of
from .clock import _union_working_days, bar_for, days_left, late_days
from .simulated import issue_differences

#: the area's target for a project's whole approval time when it has set none (河南: 60)
DEFAULT_TOTAL_TARGET = 60


#: 首页: items due within this many working days
DUE_SOON_WORKING_DAYS = 5


ITEM_SORTS = {
    "light": ("light_rank", "due_date", "id"),
    "due": ("due_date", "id"),
    "-due": ("-due_date", "-id"),
    "project": ("project__name", "order", "id"),
    "-project": ("-project__name", "order", "id"),
    "item": ("item_type__name", "id"),
    "-item": ("-item_type__name", "-id"),
    "status": ("status", "due_date", "id"),
    "-status": ("-status", "due_date", "id"),
    "accepted": ("accepted_on", "id"),
    "-accepted": ("-accepted_on", "-id"),
}


DEFAULT_SORT = "light"


def yellow_until(today: dt.date) -> dt.date:
    """The last due date that still leaves one working day or less: 黄 up to here."""
    return calendar.add_working_days(today, 1)


def open_pause() -> Exists:
    return Exists(ApprovalPause.objects.filter(item=OuterRef("pk"), end__isnull=True))


def light_case(today: dt.date) -> Case:
    """The light as SQL: done on time/late, paused, red, yellow, green, or none."""
    done = Q(status__in=ITEM_DONE)
    running = Q(status=ItemStatus.ACCEPTED, due_date__isnull=False)
    return Case(
        When(done & Q(due_date__isnull=False, done_on__gt=F("due_date")), then=Value(Light.LATE)),
        When(done, then=Value(Light.DONE)),
        When(running & Q(is_paused=True), then=Value(Light.PAUSED)),
        When(running & Q(due_date__lt=today), then=Value(Light.RED)),
        When(running & Q(due_date__lte=yellow_until(today)), then=Value(Light.YELLOW)),
        When(running, then=Value(Light.GREEN)),
        default=Value(Light.NONE),
        output_field=CharField(),
    )


#: the board's default order: the most urgent first
LIGHT_RANK = {
    Light.RED: 0,
    Light.YELLOW: 1,
    Light.PAUSED: 2,
    Light.GREEN: 3,
    Light.LATE: 4,
    Light.NONE: 5,
    Light.DONE: 6,
}


def with_light(
    items: QuerySet[ApprovalItem], today: dt.date | None = None
) -> QuerySet[ApprovalItem]:
    """``is_paused``, ``live_light`` and ``light_rank`` on each row, in SQL."""
    today = today or timezone.localdate()
    rank = Case(
        *[When(live_light=light, then=Value(n)) for light, n in LIGHT_RANK.items()],
        default=Value(9),
    )
    return (
        items.annotate(is_paused=open_pause())
        .annotate(live_light=light_case(today))
        .annotate(light_rank=rank)
    )


def items_visible_to(user: Any) -> QuerySet[ApprovalItem]:
    return scope_to_user(ApprovalItem.objects.all(), user, area_field="area")


def item_or_404(user: Any, pk: int, today: dt.date | None = None) -> ApprovalItem:
    return get_visible_or_404(
        with_light(items_visible_to(user), today).select_related(
            "project", "area", "item_type__department", "agent__unit"
        ),
        pk=pk,
    )


def project_or_404(user: Any, pk: int) -> Project:
    return get_visible_or_404(projects_visible_to(user).select_related("area"), pk=pk)


def item_list(
    user: Any, filters: dict[str, Any] | None = None, *, today: dt.date | None = None
) -> QuerySet[ApprovalItem]:
    """The area-wide board: every item the user may see, filtered and sorted; one query."""
    filters = filters or {}
    rows = with_light(items_visible_to(user), today).select_related(
        "project", "area", "item_type__department", "agent"
    )
    exact = {
        "project": "project_id",
        "status": "status",
        "mode": "mode",
        "phase": "item_type__phase",
        "department": "item_type__department_id",
        "agent": "agent_id",
    }
    for key, lookup in exact.items():
        value = filters.get(key)
        if value not in (None, ""):
            rows = rows.filter(**{lookup: getattr(value, "pk", value)})
    if filters.get("light"):
        rows = rows.filter(**{"live_light": filters["light"]})
    if filters.get("q"):
        q = filters["q"]
        rows = rows.filter(Q(item_type__name__icontains=q) | Q(project__name__icontains=q))
    return rows.order_by(*ITEM_SORTS.get(filters.get("sort") or "", ITEM_SORTS[DEFAULT_SORT]))


def project_items(project: Project, today: dt.date | None = None) -> list[ApprovalItem]:
    """One project's plan with lights, events, pauses, promises and bars; five queries.

    The caller has fetched ``project`` through a scoped selector.
    """
    today = today or timezone.localdate()
    items = list(
        with_light(ApprovalItem.objects.filter(project=project), today)
        .select_related("item_type__department", "agent__unit")
        .prefetch_related(
            Prefetch("events", queryset=ApprovalEvent.objects.select_related("actor")),
            Prefetch("pauses", queryset=ApprovalPause.objects.select_related("actor")),
            Prefetch("promises", queryset=ApprovalPromise.objects.order_by("promised_by", "id")),
        )
        .order_by("order", "id")
    )
    for item in items:
        pauses = list(item.pauses.all())
        item.bar = bar_for(item, pauses, today)  # type: ignore[attr-defined]
        item.late_days = late_days(item)  # type: ignore[attr-defined]
        item.days_left = days_left(item, today)  # type: ignore[attr-defined]
        item.overdue_days = -item.days_left if (item.days_left or 0) < 0 else 0  # type: ignore[attr-defined]
        item.differences = issue_differences(item)  # type: ignore[attr-defined]
        for promise in item.promises.all():
            promise.is_overdue = promise.fulfilled_on is None and promise.promised_by < today  # type: ignore[attr-defined]
    return items


@dataclass(frozen=True)
class TotalTime:
    """A project's whole approval time: from the first 受理 to the last 办结 (or today)."""

    first_accepted: dt.date | None
    end: dt.date | None
    finished: bool
    elapsed: int
    paused: int
    target: int
    light: str


def total_time(project: Project, items: list[ApprovalItem], today: dt.date) -> TotalTime:
    """Working days from the first acceptance to the last conclusion, minus the days when
    the clock stood (the union of all items' pauses), against the area's target."""
    target = settings_of(project.area).total_target
    accepted = [i.accepted_on for i in items if i.accepted_on]
    if not accepted:
        return TotalTime(None, None, False, 0, 0, target, Light.NONE)
    first = min(accepted)
    finished = all(i.status in ITEM_DONE for i in items)
    end = max(i.done_on for i in items if i.done_on) if finished else today
    stretches = [(p.start, p.end or today) for i in items for p in i.pauses.all()]
    paused = _union_working_days(stretches, first, end)
    elapsed = max(calendar.working_days_between(first, end) - paused, 0)
    return TotalTime(
        first, end, finished, elapsed, paused, target, _total_light(elapsed, target, finished)
    )


def _total_light(elapsed: int, target: int, finished: bool) -> str:
    if elapsed > target:
        return Light.LATE if finished else Light.RED
    if finished:
        return Light.DONE
    return Light.YELLOW if target - elapsed <= 1 else Light.GREEN


def due_soon_until(today: dt.date) -> dt.date:
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)


def my_items(
    user: Any, *, limit: int = 10, today: dt.date | None = None
) -> tuple[list[ApprovalItem], int]:
    """Open items the user is agent of, or due within 5 working days in the user's areas
    (overdue first); and how many. Two queries."""
    today = today or timezone.localdate()
    open_items = items_visible_to(user).exclude(status__in=ITEM_DONE)
    mine = Q(agent__user=user)
    due_soon = Q(status=ItemStatus.ACCEPTED, due_date__lte=due_soon_until(today))
    rows = open_items.filter(mine | due_soon)
    page = with_light(rows, today).select_related("project", "item_type", "agent")
    return list(page.order_by("light_rank", "due_date", "id")[:limit]), rows.count()


def to_notify(today: dt.date) -> QuerySet[ApprovalItem]:
    """Items whose light turned yellow or red on ``today`` (the sweep's news), with agents."""
    return (
        ApprovalItem.objects.filter(light_since=today, light__in=[Light.YELLOW, Light.RED])
        .select_related("project", "area", "item_type", "agent__user")
        .order_by("area_id", "id")
    )
