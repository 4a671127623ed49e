"""Reads of the reserve pipeline (项目储备), always scoped to the user first.

The board reads every visible item in one query, with the date its current
stage began (the latest event: events are only ever added in date order), so
"days in stage" costs no query per card.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from zhaoshang.core.selectors import get_visible_or_404, scope_to_user

from ..choices import RESERVE_MAIN, ReserveStage
from ..lifecycle import RESERVE
from ..models import ReserveEvent, ReserveItem

#: Board columns, left to right: the main line, then 否决 in its own column.
BOARD_COLUMNS: tuple[str, ...] = (*RESERVE_MAIN, ReserveStage.REJECTED)
RESERVE_SORTS = {
    "updated": ("-updated_at", "-id"),
    "name": ("name", "id"),
    "-investment": ("-total_investment", "id"),
    "stage_since": ("stage_since", "id"),
}


def reserve_visible_to(user: Any) -> QuerySet[ReserveItem]:
    return scope_to_user(ReserveItem.objects.all(), user, area_field="area")


def with_stage_since(items: QuerySet[ReserveItem]) -> QuerySet[ReserveItem]:
    """Annotate ``stage_since``: the real-world date the current stage began."""
    return items.annotate(stage_since=Max("events__event_date"))


def days_in_stage(item: ReserveItem, today: dt.date | None = None) -> int | None:
    since = getattr(item, "stage_since", None)
    return None if since is None else max(((today or timezone.localdate()) - since).days, 0)


def reserve_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[ReserveItem]:
    """Visible items filtered by stage, cluster and text; one query per page."""
    filters = filters or {}
    items = with_stage_since(reserve_visible_to(user)).select_related("area", "cluster", "project")
    if filters.get("stage"):
        items = items.filter(stage=filters["stage"])
    if filters.get("cluster"):
        cluster = filters["cluster"]
        items = items.filter(cluster_id=getattr(cluster, "pk", cluster))
    if filters.get("target_level"):
        items = items.filter(target_level=filters["target_level"])
    if filters.get("q"):
        q = filters["q"]
        items = items.filter(
            Q(name__icontains=q) | Q(investor_name__icontains=q) | Q(description__icontains=q)
        )
    return items.order_by(*RESERVE_SORTS.get(filters.get("sort") or "", RESERVE_SORTS["updated"]))


@dataclass
class BoardColumn:
    stage: str
    label: str
    cards: list[tuple[ReserveItem, int | None]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cards)

    @property
    def next_stage(self) -> str | None:
        """The one forward step the column's cards offer, or None at the end of the line."""
        return next_stage(self.stage)

    @property
    def next_label(self) -> str:
        return str(ReserveStage(self.next_stage).label) if self.next_stage else ""


def next_stage(stage: str) -> str | None:
    return RESERVE.next_stage(stage)


def next_stage_needs(item: ReserveItem) -> str:
    """What the next stage still needs, from the gates of ``lifecycle.RESERVE``, or ""."""
    return RESERVE.next_hint(item)


def reserve_board(
    user: Any, filters: dict[str, Any] | None = None, *, today: dt.date | None = None
) -> list[BoardColumn]:
    """The kanban: one column per stage (rejected last), cards longest-waiting first.

    One query for all cards; the filters of ``reserve_list`` apply except stage.
    """
    filters = {k: v for k, v in (filters or {}).items() if k not in ("stage", "sort")}
    columns = {stage: BoardColumn(stage, str(ReserveStage(stage).label)) for stage in BOARD_COLUMNS}
    today = today or timezone.localdate()
    for item in reserve_list(user, filters).order_by("stage_since", "id"):
        columns[item.stage].cards.append((item, days_in_stage(item, today)))
    return list(columns.values())


def reserve_or_404(user: Any, pk: int) -> ReserveItem:
    return get_visible_or_404(
        with_stage_since(reserve_visible_to(user)).select_related(
            "area", "cluster", "project", "created_by"
        ),
        pk=pk,
    )


def reserve_timeline(item: ReserveItem) -> list[ReserveEvent]:
    """The item's moves, oldest first (the detail page reads them top-down)."""
    return list(item.events.select_related("actor").order_by("event_date", "recorded_at", "id"))


def stage_counts(user: Any) -> dict[str, int]:
    """Items per stage for a dashboard: one GROUP BY query."""
    from django.db.models import Count

    rows = reserve_visible_to(user).values("stage").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(BOARD_COLUMNS, 0)
    counts.update({row["stage"]: row["n"] for row in rows})
    return counts
