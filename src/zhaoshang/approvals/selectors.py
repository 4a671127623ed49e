"""Reads of agency approvals, always scoped to the user first.

The lights (电子监察) are computed here, live, in SQL: with today's date and
the date one working day ahead computed once in Python, "overdue" and "one
working day or less left" are plain date comparisons, so the board can filter,
sort and page by light in one query. ``sweep`` stores the same answer.
"""

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

from zhaoshang.core.models import Area
from zhaoshang.core.selectors import get_visible_or_404, scope_to_user
from zhaoshang.projects.models import Project
from zhaoshang.projects.selectors import projects_visible_to

from . import clock
from .choices import ITEM_DONE, ItemStatus, Light, Mode, Phase
from .models import (
    ApprovalEvent,
    ApprovalItem,
    ApprovalItemType,
    ApprovalPause,
    ApprovalPromise,
    ApprovalSettings,
    LandTransfer,
)

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
CATALOGUE_SORTS = {
    "order": ("phase_rank", "order", "id"),
    "name": ("name", "id"),
    "-name": ("-name", "id"),
    "legal": ("legal_limit", "id"),
    "-legal": ("-legal_limit", "id"),
}


# --- the light -----------------------------------------------------------------------------


def yellow_until(today: dt.date) -> dt.date:
    """The last due date that still leaves one working day or less: 黄 up to here."""
    return clock.add_working_days(today, 1).value


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


def late_days(item: ApprovalItem) -> int | None:
    """Working days a concluded item went past its due date (None: on time or not done)."""
    if item.done_on is None or item.due_date is None or item.done_on <= item.due_date:
        return None
    return clock.working_days_between(item.due_date, item.done_on)


def days_left(item: ApprovalItem, today: dt.date) -> int | None:
    """Working days left to the due date (negative: overdue by that many), running items only."""
    if item.status != ItemStatus.ACCEPTED or item.due_date is None:
        return None
    if item.due_date >= today:
        return clock.working_days_between(today, item.due_date)
    return -clock.working_days_between(item.due_date, today)


def issue_differences(item: ApprovalItem) -> list[str]:
    """What the formal issue changed against the simulated one: the fields' names."""
    if item.converted_on is None or not item.sim_status:
        return []
    pairs = (
        ("document_number", item.sim_document_number, item.document_number),
        ("document_date", item.sim_document_date, item.document_date),
        ("status", item.sim_status, item.status),
    )
    # an item converted before its (simulated) conclusion has nothing to differ from yet
    if item.sim_status not in ITEM_DONE:
        return []
    return [name for name, simulated, formal in pairs if formal and simulated != formal]


# --- scoped reads ---------------------------------------------------------------------------


def items_visible_to(user: Any) -> QuerySet[ApprovalItem]:
    return scope_to_user(ApprovalItem.objects.all(), user, area_field="area")


def types_visible_to(user: Any) -> QuerySet[ApprovalItemType]:
    return scope_to_user(ApprovalItemType.objects.all(), user, area_field="area")


def item_or_404(user: Any, pk: int, today: dt.date | None = None) -> ApprovalItem:
    return get_visible_or_404(
        with_light(items_visible_to(user), today).select_related(
            "project", "area", "item_type__department", "agent__unit"
        ),
        pk=pk,
    )


def type_or_404(user: Any, pk: int) -> ApprovalItemType:
    return get_visible_or_404(types_visible_to(user).select_related("area", "department"), pk=pk)


def project_or_404(user: Any, pk: int) -> Project:
    return get_visible_or_404(projects_visible_to(user).select_related("area"), pk=pk)


def promise_or_404(user: Any, pk: int) -> ApprovalPromise:
    rows = ApprovalPromise.objects.filter(item__in=items_visible_to(user).values("pk"))
    return get_visible_or_404(rows.select_related("item__area", "item__item_type"), pk=pk)


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


def catalogue(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[ApprovalItemType]:
    """The catalogue items of the user's areas, by phase and order."""
    filters = filters or {}
    phase_rank = Case(
        *[When(phase=value, then=Value(n)) for n, value in enumerate(Phase.values)],
        default=Value(99),
    )
    rows = (
        types_visible_to(user).select_related("area", "department").annotate(phase_rank=phase_rank)
    )
    if filters.get("area"):
        rows = rows.filter(area=filters["area"])
    if filters.get("phase"):
        rows = rows.filter(phase=filters["phase"])
    if filters.get("active") in (True, False):
        rows = rows.filter(active=filters["active"])
    if filters.get("q"):
        rows = rows.filter(name__icontains=filters["q"])
    return rows.order_by(
        "area__path", *CATALOGUE_SORTS.get(filters.get("sort") or "", CATALOGUE_SORTS["order"])
    )


def settings_of(area: Area) -> ApprovalSettings:
    """The area's settings, or the defaults (2/3, 60 working days) unsaved when it has none."""
    found = ApprovalSettings.objects.filter(area=area).first()
    return found or ApprovalSettings(area=area)


def catalogue_area(area: Area) -> Area | None:
    """Whose catalogue a project of ``area`` uses: its own, else the nearest area above."""
    codes = Area.objects.filter(path__in=_prefixes(area.path)).values("pk")
    found = (
        ApprovalItemType.objects.filter(area__in=codes, active=True)
        .order_by("-area__path")
        .values_list("area_id", flat=True)
        .first()
    )
    return Area.objects.get(pk=found) if found else None


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(1, len(path) + 1)]


def land_of(project: Project) -> LandTransfer | None:
    return LandTransfer.objects.filter(project=project).first()


# --- the project's tracker ------------------------------------------------------------------


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
    used = max(clock.working_days_between(item.accepted_on, end) - paused, 0)
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
    return clock.working_days_between(pause.start, today)


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
    elapsed = max(clock.working_days_between(first, end) - paused, 0)
    return TotalTime(
        first, end, finished, elapsed, paused, target, _total_light(elapsed, target, finished)
    )


def _total_light(elapsed: int, target: int, finished: bool) -> str:
    if elapsed > target:
        return Light.LATE if finished else Light.RED
    if finished:
        return Light.DONE
    return Light.YELLOW if target - elapsed <= 1 else Light.GREEN


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
    return sum(clock.working_days_between(s, e) for s, e in merged)


def simulated_count(items: list[ApprovalItem]) -> int:
    return sum(i.mode == Mode.SIMULATED for i in items)


# --- 首页 ----------------------------------------------------------------------------------


def due_soon_until(today: dt.date) -> dt.date:
    return clock.add_working_days(today, DUE_SOON_WORKING_DAYS).value


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
