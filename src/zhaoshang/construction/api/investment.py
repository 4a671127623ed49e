"""API of key-project lists and monthly investment reports under /api/v1.

Reads go through ``construction.selectors.investment`` (scoped first: anything
outside the caller's areas is 404); writes through the services (validated,
versioned, audited). A role that may only read gets 403 on a write to a row it
can see.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Query, Router, Status

from zhaoshang.api.pagination import paged
from zhaoshang.api.refs import api_writer
from zhaoshang.core.context import request_user
from zhaoshang.core.models import User
from zhaoshang.core.selectors import area_visible_or_404, get_visible_or_404

from ..choices import CITY_OR_ABOVE, ListLevel
from ..models import KeyProjectEntry, MonthlyInvestment
from ..schemas.investment import (
    InvestmentFilters,
    InvestmentIn,
    InvestmentOut,
    InvestmentPage,
    KeyEntryFilters,
    KeyEntryIn,
    KeyEntryOut,
    KeyEntryPage,
    KeyEntryUpdate,
    TotalsOut,
)
from ..selectors import investment as selectors
from ..services import investment as services

router = Router()


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _money(value: Decimal | None) -> str | None:
    """万元 with the columns' 4 decimals, whatever the database's SUM returned."""
    return None if value is None else str(Decimal(value).quantize(Decimal("0.0001")))


def _entry_out(entry: KeyProjectEntry) -> KeyEntryOut:
    ytd = getattr(entry, "ytd", None)
    return KeyEntryOut(
        id=entry.pk,
        project_id=entry.project_id,
        project_name=entry.project.name,
        project_code=entry.project.code,
        area=entry.area.code,
        area_name=entry.area.name,
        year=entry.year,
        level=entry.level,
        level_label=str(ListLevel(entry.level).label),
        planned_investment=str(entry.planned_investment),
        ytd=_money(ytd),
        completion_pct=_text(selectors.completion_pct(ytd, entry.planned_investment))
        if ytd is not None
        else None,
        note=entry.note,
    )


def _report_out(report: MonthlyInvestment) -> InvestmentOut:
    return InvestmentOut(
        id=report.pk,
        project_id=report.project_id,
        project_name=report.project.name,
        area=report.area.code,
        year=report.year,
        month=report.month,
        amount=str(report.amount),
        version=report.version,
        is_current=report.is_current,
        note=report.note,
        entered_by=report.entered_by.username if report.entered_by else None,
        entered_at=report.entered_at,
        unchanged=services.is_unchanged(report),
    )


# --- key-project lists -----------------------------------------------------------------


@router.get(
    "/key-projects", response=KeyEntryPage, summary=gettext_noop("Key-project list entries")
)
def key_entry_list(request: HttpRequest, filters: Query[KeyEntryFilters]) -> dict[str, Any]:
    data = filters.model_dump(exclude={"limit", "offset"})
    data["level"] = getattr(filters.level, "value", filters.level)
    rows = selectors.key_list(request_user(request), data)
    return paged(rows, filters, _entry_out)


@router.post(
    "/key-projects", response={201: KeyEntryOut}, summary=gettext_noop("Add a project to a list")
)
def key_entry_create(request: HttpRequest, payload: KeyEntryIn) -> Status[KeyEntryOut]:
    user = request_user(request)
    project = selectors.project_visible_or_404(user, payload.project_id)
    api_writer(request)
    entry = services.key_entry_add(
        acting_user=user,
        project=project,
        year=payload.year,
        level=payload.level.value,
        planned_investment=payload.planned_investment,
        note=payload.note,
    )
    return Status(201, _entry_out(_entry_with_ytd(user, entry.pk)))


def _entry_with_ytd(user: User, pk: int) -> KeyProjectEntry:
    entry = selectors.entry_visible_or_404(user, pk)
    year = entry.year
    return get_visible_or_404(selectors.key_list(user, {"year": year}).filter(pk=pk), pk=pk)


@router.get(
    "/key-projects/totals",
    response=TotalsOut,
    summary=gettext_noop("Totals of an area's key lists"),
)
def key_entry_totals(
    request: HttpRequest, area: str, year: int, through: int = 12, all_levels: bool = False
) -> TotalsOut:
    user = request_user(request)
    place = area_visible_or_404(user, area)
    levels = tuple(ListLevel.values) if all_levels else CITY_OR_ABOVE
    through = min(max(through, 1), 12)
    totals = selectors.key_totals(user, area=place, year=year, levels=levels, through=through)
    return TotalsOut(
        area=place.code,
        year=year,
        levels=list(levels),
        through=through,
        projects=totals.projects,
        planned=str(totals.planned),
        done=str(totals.done),
        completion_pct=_text(totals.pct),
    )


@router.get(
    "/key-projects/{entry_id}", response=KeyEntryOut, summary=gettext_noop("One list entry")
)
def key_entry_detail(request: HttpRequest, entry_id: int) -> KeyEntryOut:
    return _entry_out(_entry_with_ytd(request_user(request), entry_id))


@router.patch(
    "/key-projects/{entry_id}", response=KeyEntryOut, summary=gettext_noop("Change the annual plan")
)
def key_entry_update(request: HttpRequest, entry_id: int, payload: KeyEntryUpdate) -> KeyEntryOut:
    user = request_user(request)
    entry = selectors.entry_visible_or_404(user, entry_id)
    api_writer(request)
    services.key_entry_update(
        acting_user=user,
        entry=entry,
        planned_investment=payload.planned_investment,
        note=payload.note,
    )
    return _entry_out(_entry_with_ytd(user, entry_id))


@router.delete(
    "/key-projects/{entry_id}", response={204: None}, summary=gettext_noop("Take off a list")
)
def key_entry_delete(request: HttpRequest, entry_id: int) -> Status[None]:
    user = request_user(request)
    entry = selectors.entry_visible_or_404(user, entry_id)
    api_writer(request)
    services.key_entry_remove(acting_user=user, entry=entry)
    return Status(204, None)


# --- monthly investment ------------------------------------------------------------------


@router.get(
    "/investments", response=InvestmentPage, summary=gettext_noop("Current monthly reports")
)
def investment_list(request: HttpRequest, filters: Query[InvestmentFilters]) -> dict[str, Any]:
    rows = (
        selectors.reports_visible_to(request_user(request))
        .filter(is_current=True)
        .select_related("project", "area", "entered_by")
    )
    if filters.year:
        rows = rows.filter(year=filters.year)
    if filters.month:
        rows = rows.filter(month=filters.month)
    if filters.project:
        rows = rows.filter(project_id=filters.project)
    if filters.area:
        rows = rows.filter(area__path__startswith=selectors.area_path(filters.area) or "")
    rows = rows.order_by("-year", "-month", "project__name", "id")
    return paged(rows, filters, _report_out)


@router.post(
    "/investments",
    response={201: InvestmentOut, 200: InvestmentOut},
    summary=gettext_noop("Report or correct a month (a correction is a new version)"),
)
def investment_create(request: HttpRequest, payload: InvestmentIn) -> Status[InvestmentOut]:
    user = request_user(request)
    project = selectors.project_visible_or_404(user, payload.project_id)
    api_writer(request)
    report = services.investment_report(
        acting_user=user,
        project=project,
        year=payload.year,
        month=payload.month,
        amount=payload.amount,
        note=payload.note,
    )
    stored = MonthlyInvestment.objects.select_related("project", "area", "entered_by").get(
        pk=report.pk
    )
    stored._unchanged = services.is_unchanged(report)  # type: ignore[attr-defined]
    return Status(200 if services.is_unchanged(report) else 201, _report_out(stored))


@router.get(
    "/investments/{project_id}/{year}/{month}/history",
    response=list[InvestmentOut],
    summary=gettext_noop("Every version of a project-month, newest first"),
)
def investment_history(
    request: HttpRequest, project_id: int, year: int, month: int
) -> list[InvestmentOut]:
    project = selectors.project_visible_or_404(request_user(request), project_id)
    versions = MonthlyInvestment.objects.filter(
        project=project, year=year, month=month
    ).select_related("project", "area", "entered_by")
    return [_report_out(r) for r in versions.order_by("-version")]
