"""Every read behind the dashboards: one function per panel, each scoped to the user first.

A panel never walks millions of rows in Python. Counts and sums are one
``GROUP BY`` each on an index that covers them (``projects_area_stage``,
``projects_area_progress``, ``construction_ms_due``), and the key-project
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

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from zhaoshang.construction.choices import CITY_OR_ABOVE, MilestoneStatus
from zhaoshang.construction.models import InvestmentRollup, KeyPlanRollup, Milestone
from zhaoshang.core.models import Area
from zhaoshang.core.selectors import area_visible_or_404, areas_visible_to
from zhaoshang.projects.choices import MAIN_STAGES, SIDE_STAGES, KeyRegion, Stage
from zhaoshang.projects.models import Activity, Cluster, Project, StageEvent, YearRollup
from zhaoshang.projects.rollups import CLUSTER, REGION, STAGE
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


# --- projects by stage, cluster and region at a year's end -----------------------------


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    count: int


def _rolled(user: Any, area: Area, year: int, kind: str) -> QuerySet[YearRollup, Any]:
    """``(key, projects, investment)`` at the end of ``year``: the deltas summed up to it."""
    return (
        YearRollup.objects.filter(kind=kind, area_id__in=subtree_ids(user, area), year__lte=year)
        .values_list("key")
        .annotate(n=Sum("projects"), total=Sum("investment"))
        .order_by()
    )


def stage_funnel(user: Any, *, area: Area, year: int | None = None) -> list[StageCount]:
    """项目阶段分布: projects per stage on Dec 31 of ``year`` (this year: today), in stage order.

    Read from ``projects.YearRollup`` (a project's year-end stage comes from its
    stage events), so a past year shows that year's picture, not today's.
    """
    year = year or timezone.localdate().year
    counts = {key: int(n or 0) for key, n, _total in _rolled(user, area, year, STAGE)}
    labels = dict(Stage.choices)
    return [
        StageCount(stage, str(labels[stage]), counts.get(stage, 0))
        for stage in (*MAIN_STAGES, *SIDE_STAGES)
    ]


# --- investment by cluster and by key region ----------------------------------------


@dataclass(frozen=True)
class InvestmentGroup:
    key: str
    label: str
    projects: int
    investment: Decimal


def investment_by_cluster(
    user: Any, *, area: Area, year: int | None = None
) -> list[InvestmentGroup]:
    """Total investment (万元) per industry cluster of the projects that existed at the end of
    ``year`` and were not terminated then, biggest first; the tail folded into one row."""
    year = year or timezone.localdate().year
    sums = [(key, n, total) for key, n, total in _rolled(user, area, year, CLUSTER) if n]
    names = dict(
        Cluster.objects.filter(pk__in=[int(k) for k, _n, _t in sums if k])
        .order_by()
        .values_list("pk", "name")
    )
    groups = sorted(
        (
            InvestmentGroup(key, names.get(int(key), "") if key else "", int(n), total or ZERO)
            for key, n, total in sums
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


def investment_by_region(
    user: Any, *, area: Area, year: int | None = None
) -> list[InvestmentGroup]:
    """Total investment (万元) per source region (长三角, 珠三角, 京津冀 …), in the fixed order,
    of the projects that existed at the end of ``year`` and were not terminated then."""
    year = year or timezone.localdate().year
    sums = {
        key: (int(n), total or ZERO) for key, n, total in _rolled(user, area, year, REGION) if n
    }
    labels = dict(KeyRegion.choices)
    return [
        InvestmentGroup(region, str(labels.get(region, "")), *sums[region])
        for region in (*KeyRegion.values, "")
        if region in sums
    ]


# --- the years a dashboard can show ---------------------------------------------------


def years_with_data(user: Any, *, area: Area, today: dt.date | None = None) -> list[int]:
    """Years (newest first, none after this one) in which the subtree has project moves,
    key lists or monthly key-project reports: what the year picker offers."""
    today = today or timezone.localdate()
    ids = subtree_ids(user, area)
    found = (
        YearRollup.objects.filter(area_id__in=ids, year__lte=today.year)
        .values_list("year")
        .order_by()
        .union(
            KeyPlanRollup.objects.filter(area_id__in=ids, year__lte=today.year)
            .values_list("year")
            .order_by(),
            InvestmentRollup.objects.filter(area_id__in=ids, year__lte=today.year)
            .values_list("year")
            .order_by(),
        )
    )
    return sorted({int(year) for (year,) in found}, reverse=True)


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


def as_of(year: int, today: dt.date) -> dt.date:
    """The day a year's dashboard describes: Dec 31, or today for this year (and later ones)."""
    return min(dt.date(year, 12, 31), today)


def overdue_milestones(
    user: Any, *, area: Area, today: dt.date | None = None, year: int | None = None
) -> Watchlist:
    """工作方案 nodes of ``year`` overdue as of its end (today for this year): due in the year
    before that day and either not done or done after their due date (done late)."""
    today = today or timezone.localdate()
    year = year or today.year
    end = as_of(year, today)
    overdue = Milestone.objects.filter(
        Q(status__in=OPEN_MILESTONE) | Q(done_date__gt=F("due_date")),
        area_id__in=subtree_ids(user, area),
        due_date__gte=dt.date(year, 1, 1),
        due_date__lt=end if end == today else end + dt.timedelta(days=1),
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
            "done_date",
            "responsible_person__name",
            "project_id",
            "project__name",
            "area__name",
            "unit__name",
        )
    ]
    for row in rows:
        row["days_late"] = (min(row["done_date"] or end, end) - row["due_date"]).days
    return Watchlist(overdue.count(), rows)


def stuck_projects(
    user: Any, *, area: Area, today: dt.date | None = None, year: int | None = None
) -> Watchlist:
    """Projects active at the end of ``year`` and idle for ``ZHAOSHANG_STUCK_DAYS`` by then.

    This year reads today's state (range scans of ``projects_area_progress``); a
    past year rebuilds each project's stage and last progress on Dec 31 from its
    stage events and activities up to that day.
    """
    today = today or timezone.localdate()
    end = as_of(year or today.year, today)
    stuck = _stuck_now(user, area, today) if end == today else _stuck_then(user, area, end)
    labels = dict(Stage.choices)
    # the ten ids from the index alone first, then their names: no join over every stuck row
    longest = stuck.order_by("idle_since", "id").values("id")[:TOP]
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in stuck.filter(id__in=longest)  # type: ignore[misc]
        .order_by("idle_since", "id")
        .values("id", "name", "stage_then", "idle_since", "total_investment", "area__name")
    ]
    for row in rows:
        row["stage"] = row["stage_then"]
        row["last_progress_on"] = row["idle_since"]
        row["stage_label"] = str(labels.get(row["stage"], row["stage"]))
        row["days_idle"] = (end - row["idle_since"]).days
    return Watchlist(stuck.count(), rows)


def _stuck_now(user: Any, area: Area, today: dt.date) -> QuerySet[Project]:
    return Project.objects.filter(
        area_id__in=subtree_ids(user, area),
        stage__in=ACTIVE_STAGES,
        last_progress_on__lt=stuck_before(today),
    ).annotate(stage_then=F("stage"), idle_since=F("last_progress_on"))


def _stuck_then(user: Any, area: Area, end: dt.date) -> QuerySet[Project]:
    """Stage and last progress on ``end`` from the stage log and the activities up to it."""
    moves = StageEvent.objects.filter(project=OuterRef("pk"), event_date__lte=end).order_by(
        "-event_date", "-recorded_at", "-id"
    )
    acted = (
        Activity.objects.filter(project=OuterRef("pk"), date__lte=end)
        .order_by("-date")
        .values("date")[:1]
    )
    cutoff = stuck_before(end)
    return (
        Project.objects.filter(area_id__in=subtree_ids(user, area))
        .annotate(
            stage_then=Subquery(moves.values("to_stage")[:1]),
            moved=Subquery(moves.values("event_date")[:1]),
            acted=Subquery(acted),
        )
        .annotate(idle_since=Greatest("moved", Coalesce("acted", "moved")))
        .filter(stage_then__in=ACTIVE_STAGES, idle_since__lt=cutoff)
    )


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
