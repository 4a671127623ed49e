"""Reads of paid-in capital (到位资金), always scoped to the user first.

``paid_in_by_area`` is the one read ``targets`` uses to compute 实际利用外资 and
引进市外资金: a GROUP BY of the current versions by reporting area under a root.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from zhaoshang.core.selectors import scope_to_user
from zhaoshang.projects.models import Project

from ..models import PaidInCapital
from .investment import FOUR, ZERO, area_path

#: ``sort`` values of the list and the ordering each means (anything else: by area)
CAPITAL_SORTS: dict[str, tuple[str, ...]] = {
    "area": ("area__path", "project__name", "month"),
    "-area": ("-area__path", "project__name", "month"),
    "code": ("project__code", "month"),
    "-code": ("-project__code", "month"),
    "name": ("project__name", "month"),
    "-name": ("-project__name", "month"),
    "month": ("month", "area__path", "project__name"),
    "-month": ("-month", "area__path", "project__name"),
    "foreign": ("foreign_capital", "project__name"),
    "-foreign": ("-foreign_capital", "project__name"),
    "out": ("out_of_city_capital", "project__name"),
    "-out": ("-out_of_city_capital", "project__name"),
}


def capital_visible_to(user: Any) -> QuerySet[PaidInCapital]:
    return scope_to_user(PaidInCapital.objects.all(), user)


def capital_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[PaidInCapital]:
    """Current reports the user may see: ``year`` (default this year), ``month``,
    ``project`` (id), ``area`` (an Area or code: it and below), ``sort`` (a key of
    ``CAPITAL_SORTS``; anything else sorts by area). One query per page."""
    filters = filters or {}
    year = int(filters.get("year") or timezone.localdate().year)
    rows = (
        capital_visible_to(user)
        .filter(is_current=True, year=year)
        .select_related("project", "area", "entered_by")
    )
    if filters.get("month"):
        rows = rows.filter(month=filters["month"])
    if filters.get("project"):
        rows = rows.filter(project_id=filters["project"])
    path = area_path(filters.get("area"))
    if path is not None:
        rows = rows.filter(area__path__startswith=path)
    order = CAPITAL_SORTS.get(filters.get("sort") or "", CAPITAL_SORTS["area"])
    return rows.order_by(*order, "id")


@dataclass(frozen=True)
class CapitalTotals:
    reports: int
    foreign_capital: Decimal  # 万美元
    out_of_city_capital: Decimal  # 万元


def capital_totals(rows: QuerySet[PaidInCapital]) -> CapitalTotals:
    """The totals row of a filtered list, one aggregate query."""
    sums = rows.order_by().aggregate(
        n=Count("id"), foreign=Sum("foreign_capital"), out=Sum("out_of_city_capital")
    )
    return CapitalTotals(
        int(sums["n"] or 0),
        Decimal(sums["foreign"] or 0).quantize(FOUR),
        Decimal(sums["out"] or 0).quantize(FOUR),
    )


def paid_in_by_area(root_path: str, year: int, through_month: int) -> dict[str, dict[str, Decimal]]:
    """Current 到位资金 summed per reporting area path under ``root_path``, January..through.

    Unscoped on purpose: ``targets`` ranks every sibling area (only positions are
    disclosed), exactly as it reads the investment rollups.
    """
    if through_month < 1:
        return {}
    rows = (
        PaidInCapital.objects.filter(
            area__path__startswith=root_path, year=year, month__lte=through_month, is_current=True
        )
        .values("area__path")
        .annotate(foreign=Sum("foreign_capital"), out=Sum("out_of_city_capital"))
        .order_by()
    )
    return {
        r["area__path"]: {
            "foreign_capital": Decimal(r["foreign"] or 0).quantize(FOUR),
            "out_of_city_capital": Decimal(r["out"] or 0).quantize(FOUR),
        }
        for r in rows
    }


@dataclass
class CapitalMonth:
    month: int
    current: PaidInCapital | None
    history: list[PaidInCapital]  # older versions, newest first
    future: bool


def project_capital(
    user: Any, project: Project, year: int | None = None, *, today: dt.date | None = None
) -> dict[str, Any]:
    """Context of the project page's 到位资金 panel: 12 months with versions, year totals.

    The caller fetched ``project`` through the user's scope. One query.
    """
    today = today or timezone.localdate()
    year = year or today.year
    by_month: dict[int, list[PaidInCapital]] = defaultdict(list)
    reports = PaidInCapital.objects.filter(project=project, year=year).select_related("entered_by")
    for report in reports.order_by("month", "-version"):
        by_month[report.month].append(report)
    months = [
        CapitalMonth(
            month=m,
            current=next((r for r in by_month.get(m, []) if r.is_current), None),
            history=[r for r in by_month.get(m, []) if not r.is_current],
            future=(year, m) > (today.year, today.month),
        )
        for m in range(1, 13)
    ]
    current = [m.current for m in months if m.current is not None]
    return {
        "project": project,
        "cap_year": year,
        "cap_months": months,
        "cap_foreign": sum((r.foreign_capital for r in current), ZERO),
        "cap_out": sum((r.out_of_city_capital for r in current), ZERO),
    }


def current_report(project: Project, year: int, month: int) -> PaidInCapital | None:
    return PaidInCapital.objects.filter(
        project=project, year=year, month=month, is_current=True
    ).first()


def month_versions(project: Project, year: int, month: int) -> list[PaidInCapital]:
    """Every version of a project-month, newest first."""
    return list(
        PaidInCapital.objects.filter(project=project, year=year, month=month)
        .select_related("project", "area", "entered_by")
        .order_by("-version")
    )
