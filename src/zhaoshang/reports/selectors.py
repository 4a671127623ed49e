"""Every read behind the dashboards: one function per panel, each scoped to the user first.

A panel never walks millions of rows in Python. Counts and sums are one
``GROUP BY`` each on an index that covers them (``projects_area_stage``,
``projects_area_progress``, ``construction_ms_overdue``), and the key-project
money comes from the two rollup tables the construction services keep in the
same transaction as every write (``KeyPlanRollup``, ``InvestmentRollup``), so a
province of 200 000 projects and 4.8 million monthly reports costs the same few
queries as one district.

Scoping: each panel restricts the areas it reads to ``areas_visible_to(user)``
below the requested area, as a sub-query inside its own SQL (no extra round
trip). The page resolves the area itself with ``dashboard_area_or_404``, so an
area outside the user's subtree is a 404 before any panel runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from zhaoshang.construction.choices import CITY_OR_ABOVE, MilestoneStatus
from zhaoshang.construction.models import InvestmentRollup, KeyPlanRollup, Milestone
from zhaoshang.core.models import Area
from zhaoshang.core.selectors import area_visible_or_404, areas_visible_to
from zhaoshang.projects.choices import MAIN_STAGES, SIDE_STAGES, KeyRegion, Stage
from zhaoshang.projects.models import Cluster, Project
from zhaoshang.projects.selectors import ACTIVE_STAGES, stuck_before

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
TOP = 10
TOP_CLUSTERS = 15
MONTHS = tuple(range(1, 13))


# --- scope ------------------------------------------------------------------------


def dashboard_area_or_404(user: Any, code: str) -> Area:
    """The area a dashboard is about: in the user's subtree, else 404."""
    return area_visible_or_404(user, code)


def city_dashboard_area_or_404(user: Any, code: str) -> tuple[Area, list[Area]]:
    """An area with children the user may see, and those children (404 if it has none)."""
    area = area_visible_or_404(user, code)
    children = list(areas_visible_to(user).filter(parent=area).order_by("code"))
    if not children:
        raise Http404
    return area, children


def subtree_ids(user: Any, area: Area) -> QuerySet[Area, Any]:
    """Ids of ``area`` and everything below it that ``user`` may see, as a lazy sub-query."""
    return areas_visible_to(user).filter(path__startswith=area.path).values("id")


def pct(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """``part / whole`` in percent to two places; None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT)


# --- funnel -----------------------------------------------------------------------


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    count: int


def stage_funnel(user: Any, *, area: Area) -> list[StageCount]:
    """项目漏斗: projects per stage in the subtree (GROUP BY on ``projects_area_stage``)."""
    counts = dict(
        Project.objects.filter(area_id__in=subtree_ids(user, area))
        .values_list("stage")
        .annotate(n=Count("*"))
        .order_by()
    )
    labels = dict(Stage.choices)
    return [
        StageCount(stage, str(labels[stage]), int(counts.get(stage, 0)))
        for stage in (*MAIN_STAGES, *SIDE_STAGES)
    ]


# --- investment by cluster and by key region ----------------------------------------


@dataclass(frozen=True)
class InvestmentGroup:
    key: str
    label: str
    projects: int
    investment: Decimal


def _live_projects(user: Any, area: Area) -> QuerySet[Project]:
    """Projects that still count towards attracted investment (terminated ones do not)."""
    return Project.objects.filter(area_id__in=subtree_ids(user, area)).exclude(
        stage=Stage.TERMINATED
    )


def investment_by_cluster(user: Any, *, area: Area) -> list[InvestmentGroup]:
    """Total investment (万元) per industry cluster, biggest first; the tail folded into one row."""
    # GROUP BY an expression, not the column: SQLite would otherwise walk the whole
    # table in cluster_id index order to skip a sort, instead of the area's index range.
    sums = list(
        _live_projects(user, area)
        .annotate(key=Coalesce("cluster_id", 0))
        .values_list("key")
        .annotate(n=Count("*"), total=Sum("total_investment"))
        .order_by()
    )
    names = dict(
        Cluster.objects.filter(pk__in=[c for c, _n, _t in sums if c])
        .order_by()
        .values_list("pk", "name")
    )
    groups = sorted(
        (
            InvestmentGroup(
                str(cluster or ""),
                names.get(cluster, "") if cluster else "",
                int(n),
                total or ZERO,
            )
            for cluster, n, total in sums
        ),
        key=lambda g: (-g.investment, g.label),
    )
    return _fold_tail(groups)


def _fold_tail(groups: list[InvestmentGroup]) -> list[InvestmentGroup]:
    """Keep the ``TOP_CLUSTERS`` biggest named groups; the rest (and 'none') become one row each."""
    named = [g for g in groups if g.key]
    unnamed = [g for g in groups if not g.key]
    head, tail = named[:TOP_CLUSTERS], named[TOP_CLUSTERS:]
    if tail:
        head.append(
            InvestmentGroup(
                "other",
                "",
                sum(g.projects for g in tail),
                sum((g.investment for g in tail), ZERO),
            )
        )
    return head + unnamed


def investment_by_region(user: Any, *, area: Area) -> list[InvestmentGroup]:
    """Total investment (万元) per source region (长三角, 珠三角, 京津冀 …), in the fixed order."""
    sums = {
        region: (int(n), total or ZERO)
        for region, n, total in _live_projects(user, area)
        .values_list("source_region")
        .annotate(n=Count("*"), total=Sum("total_investment"))
        .order_by()
    }
    labels = dict(KeyRegion.choices)
    return [
        InvestmentGroup(region, str(labels.get(region, "")), *sums[region])
        for region in (*KeyRegion.values, "")
        if region in sums
    ]


# --- key-project plan vs done ---------------------------------------------------------


@dataclass(frozen=True)
class PlanMonth:
    month: int
    done_all: Decimal
    cumulative_all: Decimal
    pct_all: Decimal | None
    done_city: Decimal
    cumulative_city: Decimal
    pct_city: Decimal | None


@dataclass
class KeyPlan:
    """Annual plan vs monthly done of the key-project lists: all lists, and 市级以上 only."""

    year: int
    projects_all: int = 0
    planned_all: Decimal = ZERO
    projects_city: int = 0
    planned_city: Decimal = ZERO
    months: list[PlanMonth] = field(default_factory=list)

    @property
    def done_all(self) -> Decimal:
        return self.months[-1].cumulative_all if self.months else ZERO

    @property
    def done_city(self) -> Decimal:
        return self.months[-1].cumulative_city if self.months else ZERO

    @property
    def pct_all(self) -> Decimal | None:
        return pct(self.done_all, self.planned_all)

    @property
    def pct_city(self) -> Decimal | None:
        return pct(self.done_city, self.planned_city)


def key_plan(user: Any, *, area: Area, year: int) -> KeyPlan:
    """重点项目计划与完成: from the rollups only (two small GROUP BYs, never the monthly rows)."""
    ids = subtree_ids(user, area)
    plan = KeyPlan(year=year)
    for level, n, planned in (
        KeyPlanRollup.objects.filter(year=year, area_id__in=ids)
        .values_list("top_level")
        .annotate(n=Sum("projects"), planned=Sum("planned"))
        .order_by()
    ):
        plan.projects_all += int(n or 0)
        plan.planned_all += planned or ZERO
        if level in CITY_OR_ABOVE:
            plan.projects_city += int(n or 0)
            plan.planned_city += planned or ZERO
    done: dict[int, list[Decimal]] = {m: [ZERO, ZERO] for m in MONTHS}
    for month, level, amount in (
        InvestmentRollup.objects.filter(year=year, area_id__in=ids)
        .values_list("month", "top_level")
        .annotate(amount=Sum("amount"))
        .order_by()
    ):
        done[month][0] += amount or ZERO
        if level in CITY_OR_ABOVE:
            done[month][1] += amount or ZERO
    cum_all = cum_city = ZERO
    for month in MONTHS:
        month_all, month_city = done[month]
        cum_all += month_all
        cum_city += month_city
        plan.months.append(
            PlanMonth(
                month,
                month_all,
                cum_all,
                pct(cum_all, plan.planned_all),
                month_city,
                cum_city,
                pct(cum_city, plan.planned_city),
            )
        )
    return plan


# --- overdue milestones and stuck projects -----------------------------------------------


@dataclass
class Watchlist:
    """A count and the oldest ``TOP`` rows behind it (dicts ready for a table)."""

    count: int
    rows: list[dict[str, Any]]


OPEN_MILESTONE = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)


def overdue_milestones(user: Any, *, area: Area, today: dt.date | None = None) -> Watchlist:
    """工作方案 nodes past due and not done (range scans of ``construction_ms_overdue``)."""
    today = today or timezone.localdate()
    overdue = Milestone.objects.filter(
        area_id__in=subtree_ids(user, area), status__in=OPEN_MILESTONE, due_date__lt=today
    )
    oldest = overdue.order_by("due_date", "id").values("id")[:TOP]
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Milestone.objects.filter(id__in=oldest)
        .order_by("due_date", "id")
        .values(
            "id",
            "title",
            "due_date",
            "responsible_person__name",
            "project_id",
            "project__name",
            "area__name",
            "unit__name",
        )
    ]
    for row in rows:
        row["days_late"] = (today - row["due_date"]).days
    return Watchlist(overdue.count(), rows)


def stuck_projects(user: Any, *, area: Area, today: dt.date | None = None) -> Watchlist:
    """Active projects idle since ``stuck_before`` (range scans of ``projects_area_progress``)."""
    today = today or timezone.localdate()
    stuck = Project.objects.filter(
        area_id__in=subtree_ids(user, area),
        stage__in=ACTIVE_STAGES,
        last_progress_on__lt=stuck_before(today),
    )
    labels = dict(Stage.choices)
    # the ten ids from the index alone first, then their names: no join over every stuck row
    longest = stuck.order_by("last_progress_on", "id").values("id")[:TOP]
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Project.objects.filter(id__in=longest)
        .order_by("last_progress_on", "id")
        .values("id", "name", "stage", "last_progress_on", "total_investment", "area__name")
    ]
    for row in rows:
        row["stage_label"] = str(labels.get(row["stage"], row["stage"]))
        row["days_idle"] = (today - row["last_progress_on"]).days
    return Watchlist(stuck.count(), rows)


# --- the city view: children side by side -------------------------------------------------


@dataclass(frozen=True)
class ChildPlan:
    area: Area
    projects: int
    planned: Decimal
    done: Decimal

    @property
    def pct(self) -> Decimal | None:
        return pct(self.done, self.planned)


def key_plan_by_child(
    user: Any, *, area: Area, children: list[Area], year: int, city_or_above: bool = True
) -> list[ChildPlan]:
    """Each child area's key-project plan and year's done (its whole subtree), from the rollups.

    Two GROUP BY area queries over the rollups; rows are mapped to the child
    whose path prefixes theirs (a zone rolls up into its county).
    """
    ids = subtree_ids(user, area)
    levels = Q(top_level__in=CITY_OR_ABOVE) if city_or_above else Q()
    paths = dict(
        areas_visible_to(user).filter(path__startswith=area.path).values_list("id", "path")
    )
    planned = (
        KeyPlanRollup.objects.filter(levels, year=year, area_id__in=ids)
        .values_list("area_id")
        .annotate(n=Sum("projects"), planned=Sum("planned"))
        .order_by()
    )
    done = (
        InvestmentRollup.objects.filter(levels, year=year, area_id__in=ids)
        .values_list("area_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    totals: dict[int, list[Any]] = {child.pk: [0, ZERO, ZERO] for child in children}
    owner = _child_of(children, paths)
    for area_id, n, plan in planned:
        if (child_id := owner.get(area_id)) is not None:
            totals[child_id][0] += int(n or 0)
            totals[child_id][1] += plan or ZERO
    for area_id, amount in done:
        if (child_id := owner.get(area_id)) is not None:
            totals[child_id][2] += amount or ZERO
    return [ChildPlan(child, *totals[child.pk]) for child in children]


def _child_of(children: list[Area], paths: dict[int, str]) -> dict[int, int]:
    """Area id → the id of the child whose subtree holds it."""
    owner: dict[int, int] = {}
    for area_id, path in paths.items():
        for child in children:
            if path.startswith(child.path):
                owner[area_id] = child.pk
                break
    return owner
