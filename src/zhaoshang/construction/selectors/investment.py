"""Reads of key-project lists and monthly investment, always scoped to the user first.

Year-to-date (累计完成) and completion % (完成率) are derived here, never stored:
YTD is the sum of the current report versions from January through a month;
completion % = YTD / annual plan × 100, two decimals, rounded half up, None
when the plan is 0. Totals over many areas come from the rollup tables.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhaoshang.core.models import Area
from zhaoshang.core.selectors import area_path_of, get_visible_or_404, scope_to_user
from zhaoshang.projects.models import Project
from zhaoshang.projects.selectors import projects_visible_to

from ..choices import CITY_OR_ABOVE, LEVEL_RANK, ListLevel
from ..models import InvestmentRollup, KeyPlanRollup, KeyProjectEntry, MonthlyInvestment

ZERO = Decimal("0")
CENT = Decimal("0.01")
FOUR = Decimal("0.0001")
AMOUNT: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=4)
SORTS = {
    "code": "project__code",
    "-code": "-project__code",
    "name": "project__name",
    "-name": "-project__name",
    "level": "level_rank",
    "-level": "-level_rank",
    "plan": "planned_investment",
    "-plan": "-planned_investment",
    "ytd": "ytd",
    "-ytd": "-ytd",
    "area": "area__path",
    "-area": "-area__path",
}


def completion_pct(done: Decimal | None, plan: Decimal | None) -> Decimal | None:
    """完成率 in percent, 2 decimals, ROUND_HALF_UP; None when there is no plan to compare."""
    if not plan:
        return None
    return (Decimal(done or 0) * 100 / Decimal(plan)).quantize(CENT, rounding=ROUND_HALF_UP)


def default_through(year: int, today: dt.date | None = None) -> int:
    """The month a year-to-date runs through by default: this month for this year, else 12."""
    today = today or timezone.localdate()
    return today.month if year == today.year else 12


def _level_rank() -> Case:
    return Case(
        *(When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def ytd_subquery(through: int, *, project_ref: str = "project_id", year_ref: str = "year") -> Any:
    """Sum of the current reports of the outer row's project and year, January..``through``."""
    sums = (
        MonthlyInvestment.objects.filter(
            project_id=OuterRef(project_ref),
            year=OuterRef(year_ref),
            is_current=True,
            month__lte=through,
        )
        .order_by()
        .values("project_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(sums, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT)


def entries_visible_to(user: Any) -> QuerySet[KeyProjectEntry]:
    return scope_to_user(KeyProjectEntry.objects.all(), user)


def entry_visible_or_404(user: Any, pk: int) -> KeyProjectEntry:
    return get_visible_or_404(entries_visible_to(user).select_related("project", "area"), pk=pk)


def area_path(area: Area | str | None) -> str | None:
    return None if area is None or area == "" else area_path_of(area)


def key_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[KeyProjectEntry]:
    """One year's key lists as the user may see them, each entry with ``ytd`` and ``level_rank``.

    Filters: ``year`` (default this year), ``level``, ``area`` (an Area or code: it
    and everything below), ``q`` (project name or number), ``through`` (last month
    of the YTD), ``sort`` (a key of ``SORTS``). One query per page.
    """
    filters = filters or {}
    year = int(filters.get("year") or timezone.localdate().year)
    through = int(filters.get("through") or default_through(year))
    entries = entries_visible_to(user).filter(year=year).select_related("project", "area")
    if filters.get("level"):
        entries = entries.filter(level=filters["level"])
    path = area_path(filters.get("area"))
    if path is not None:
        entries = entries.filter(area__path__startswith=path)
    if filters.get("q"):
        q = str(filters["q"]).strip()
        entries = entries.filter(Q(project__name__icontains=q) | Q(project__code=q))
    entries = entries.annotate(ytd=ytd_subquery(through), level_rank=_level_rank())
    order = SORTS.get(filters.get("sort") or "", "-level_rank")
    return entries.order_by(order, "project__name", "id")


def top_entries(entries: QuerySet[KeyProjectEntry]) -> QuerySet[KeyProjectEntry]:
    """Only each project's highest list of the year (a project in two lists counts once)."""
    higher = KeyProjectEntry.objects.filter(
        project_id=OuterRef("project_id"), year=OuterRef("year")
    )
    rank = _level_rank()
    return entries.annotate(rank_here=rank).exclude(
        Exists(
            higher.annotate(rank_other=_level_rank()).filter(rank_other__gt=OuterRef("rank_here"))
        )
    )


@dataclass(frozen=True)
class Totals:
    projects: int
    planned: Decimal
    done: Decimal
    pct: Decimal | None


def _totals(projects: Any, planned: Decimal | None, done: Decimal | None) -> Totals:
    """Sums as 万元 with the column's 4 decimals (SQLite returns longer ones)."""
    plan = Decimal(planned or 0).quantize(FOUR)
    made = Decimal(done or 0).quantize(FOUR)
    return Totals(int(projects or 0), plan, made, completion_pct(made, plan))


def list_totals(
    entries: QuerySet[KeyProjectEntry], *, year: int, through: int, level: str | None
) -> Totals:
    """The totals row of a filtered list: distinct projects, their plans, their YTD.

    Without a level filter each project counts once, under its highest list.
    """
    counted = entries if level else top_entries(entries)
    plan = counted.order_by().aggregate(
        projects=Coalesce(Sum(Value(1)), 0), planned=Sum("planned_investment")
    )
    done = MonthlyInvestment.objects.filter(
        project_id__in=counted.order_by().values("project_id"),
        year=year,
        month__lte=through,
        is_current=True,
    ).aggregate(total=Sum("amount"))["total"]
    return _totals(plan["projects"], plan["planned"], done)


def key_totals(
    user: Any,
    *,
    area: Area,
    year: int,
    levels: tuple[str, ...] = CITY_OR_ABOVE,
    through: int = 12,
) -> Totals:
    """Key projects of an area (and below) from the rollups: count, plan, done, completion %.

    ``levels`` are top levels: the default counts projects in the city or
    provincial lists once each (the seed: Yicheng 2014 → 21, 512000, 560960, 109.56).
    """
    plans = scope_to_user(KeyPlanRollup.objects.all(), user).filter(
        area__path__startswith=area.path, year=year, top_level__in=levels
    )
    plan = plans.aggregate(projects=Sum("projects"), planned=Sum("planned"))
    done = (
        scope_to_user(InvestmentRollup.objects.all(), user)
        .filter(area__path__startswith=area.path, year=year, top_level__in=levels)
        .filter(month__lte=through)
        .aggregate(total=Sum("amount"))["total"]
    )
    return _totals(plan["projects"], plan["planned"], done)


def area_key_ranking(
    user: Any,
    *,
    parent: Area,
    year: int,
    levels: tuple[str, ...] = CITY_OR_ABOVE,
    through: int = 12,
) -> list[tuple[Area, Totals]]:
    """Every child area of ``parent`` with its key-project totals (for a ranking), two queries."""
    children = list(parent.children.order_by("code"))
    plans: dict[int, dict[str, Any]] = defaultdict(lambda: {"projects": 0, "planned": ZERO})
    done: dict[int, Decimal] = defaultdict(lambda: ZERO)
    prefix_of = {child.path: child.pk for child in children}
    rows = scope_to_user(KeyPlanRollup.objects.all(), user).filter(
        area__path__startswith=parent.path, year=year, top_level__in=levels
    )
    for path, projects, planned in rows.values_list("area__path", "projects", "planned"):
        child = _child_of(path, prefix_of)
        if child is not None:
            plans[child]["projects"] += projects
            plans[child]["planned"] += planned
    amounts = scope_to_user(InvestmentRollup.objects.all(), user).filter(
        area__path__startswith=parent.path, year=year, top_level__in=levels, month__lte=through
    )
    for path, amount in amounts.values_list("area__path", "amount"):
        child = _child_of(path, prefix_of)
        if child is not None:
            done[child] += amount
    return [
        (
            c,
            _totals(plans[c.pk]["projects"], plans[c.pk]["planned"], done[c.pk]),
        )
        for c in children
    ]


def _child_of(path: str, prefix_of: dict[str, int]) -> int | None:
    for prefix, pk in prefix_of.items():
        if path.startswith(prefix):
            return pk
    return None


# --- one project -----------------------------------------------------------------------


def project_visible_or_404(user: Any, pk: int) -> Project:
    return get_visible_or_404(projects_visible_to(user).select_related("area"), pk=pk)


def project_plan(entries: list[KeyProjectEntry]) -> Decimal | None:
    """The plan a project-year is measured against: that of its highest list."""
    if not entries:
        return None
    top = max(entries, key=lambda e: LEVEL_RANK.get(e.level, 0))
    return top.planned_investment


@dataclass
class MonthCell:
    month: int
    current: MonthlyInvestment | None
    history: list[MonthlyInvestment]  # older versions, newest first
    ytd: Decimal
    future: bool


@dataclass
class ProjectYear:
    project: Project
    year: int
    entries: list[KeyProjectEntry]
    months: list[MonthCell]
    plan: Decimal | None
    done: Decimal
    pct: Decimal | None


def project_year(
    project: Project,
    year: int,
    *,
    today: dt.date | None = None,
    entries: list[KeyProjectEntry] | None = None,
) -> ProjectYear:
    """The 12 months of a project-year: current amount, older versions, running YTD. Two
    queries, or one when the caller has read the project's list ``entries`` already."""
    today = today or timezone.localdate()
    if entries is None:
        entries = list(KeyProjectEntry.objects.filter(project=project, year=year))
    entries = sorted(
        (e for e in entries if e.year == year),
        key=lambda e: (-LEVEL_RANK.get(e.level, 0), e.level, e.pk),
    )
    reports = MonthlyInvestment.objects.filter(project=project, year=year).select_related(
        "entered_by"
    )
    by_month: dict[int, list[MonthlyInvestment]] = defaultdict(list)
    for report in reports.order_by("month", "-version"):
        by_month[report.month].append(report)
    months: list[MonthCell] = []
    running = ZERO
    for month in range(1, 13):
        versions = by_month.get(month, [])
        current = next((r for r in versions if r.is_current), None)
        running += current.amount if current else ZERO
        months.append(
            MonthCell(
                month=month,
                current=current,
                history=[r for r in versions if not r.is_current],
                ytd=running,
                future=(year, month) > (today.year, today.month),
            )
        )
    plan = project_plan(entries)
    return ProjectYear(project, year, entries, months, plan, running, completion_pct(running, plan))


def month_history(project: Project, year: int, month: int) -> list[MonthlyInvestment]:
    """Every version of a project-month, newest first (the current one on top)."""
    return list(
        MonthlyInvestment.objects.filter(project=project, year=year, month=month)
        .select_related("entered_by")
        .order_by("-version")
    )


def reports_visible_to(user: Any) -> QuerySet[MonthlyInvestment]:
    return scope_to_user(MonthlyInvestment.objects.all(), user)


def project_investment(user: Any, project: Project, year: int | None = None) -> dict[str, Any]:
    """Context of ``construction/_project_investment.html`` for the project detail page.

    The caller has already fetched ``project`` through the user's scope. Two queries.
    """
    year = year or timezone.localdate().year
    entries = list(KeyProjectEntry.objects.filter(project=project).order_by("-year", "level", "id"))
    data = project_year(project, year, entries=entries)
    return {
        "project": project,
        "inv_year": year,
        "inv_entries": entries,
        "inv_data": data,
        "inv_levels": dict(ListLevel.choices),
    }


# --- a project's key level in a year (``projects.keylevels``' source) --------------------


def top_level_of_year(year: int) -> Subquery:
    """SQL: the highest list (省 > 市 > 区) ``OuterRef("pk")`` sits in that year, or NULL."""
    top = (
        KeyProjectEntry.objects.filter(project_id=OuterRef("pk"), year=year)
        .annotate(level_rank=_level_rank())
        .order_by("-level_rank")
        .values("level")[:1]
    )
    return Subquery(top)


def key_level_history(project: Project) -> list[tuple[int, str]]:
    """``(year, top level)`` of every year the project sits in a key list, newest first."""
    best: dict[int, str] = {}
    for year, level in KeyProjectEntry.objects.filter(project=project).values_list("year", "level"):
        if LEVEL_RANK.get(level, 0) > LEVEL_RANK.get(best.get(year, ""), 0):
            best[year] = level
    return sorted(best.items(), reverse=True)
