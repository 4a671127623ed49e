"""API of paid-in capital (到位资金) under /api/v1.

Reads through ``selectors.capital`` (scoped first: another area's project or
row is 404); writes through ``services.capital`` (validated: 422 naming the
field; versioned: a stale ``version`` is 409; audited). A read-only role gets
403 on a write to a project it can see.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Query, Router, Status

from zhaoshang.api.pagination import paged
from zhaoshang.api.refs import api_writer
from zhaoshang.core.context import request_user

from ..models import PaidInCapital
from ..schemas.capital import CapitalFilters, CapitalOut, CapitalPage, CapitalReportIn
from ..selectors import capital as selectors
from ..selectors.investment import project_visible_or_404
from ..services import capital as services

router = Router()


def _out(report: PaidInCapital) -> CapitalOut:
    return CapitalOut(
        id=report.pk,
        project_id=report.project_id,
        project_name=report.project.name,
        area=report.area.code,
        year=report.year,
        month=report.month,
        foreign_capital=str(report.foreign_capital),
        out_of_city_capital=str(report.out_of_city_capital),
        version=report.version,
        is_current=report.is_current,
        note=report.note,
        entered_by=report.entered_by.username if report.entered_by else None,
        entered_at=report.entered_at,
        unchanged=services.is_unchanged(report),
    )


@router.get(
    "/paid-in-capital", response=CapitalPage, summary=gettext_noop("Current 到位资金 reports")
)
def capital_list(request: HttpRequest, filters: Query[CapitalFilters]) -> dict[str, Any]:
    data = filters.model_dump(exclude={"limit", "offset"})
    rows = selectors.capital_list(request_user(request), data)
    answer = paged(rows, filters, _out)
    totals = selectors.capital_totals(rows)
    answer["foreign_capital_total"] = str(totals.foreign_capital)
    answer["out_of_city_capital_total"] = str(totals.out_of_city_capital)
    return answer


@router.post(
    "/paid-in-capital",
    response={201: CapitalOut, 200: CapitalOut},
    summary=gettext_noop("Report or correct a project's month (a correction is a new version)"),
)
def capital_create(request: HttpRequest, payload: CapitalReportIn) -> Status[CapitalOut]:
    user = request_user(request)
    project = project_visible_or_404(user, payload.project_id)
    api_writer(request)
    report = services.capital_report(
        acting_user=user,
        project=project,
        year=payload.year,
        month=payload.month,
        foreign_capital=payload.foreign_capital,
        out_of_city_capital=payload.out_of_city_capital,
        note=payload.note,
        expected_version=payload.version,
    )
    unchanged = services.is_unchanged(report)
    stored = PaidInCapital.objects.select_related("project", "area", "entered_by").get(pk=report.pk)
    stored._unchanged = unchanged  # type: ignore[attr-defined]
    return Status(200 if unchanged else 201, _out(stored))


@router.get(
    "/paid-in-capital/{project_id}/{year}/{month}/history",
    response=list[CapitalOut],
    summary=gettext_noop("Every version of a project-month, newest first"),
)
def capital_history(
    request: HttpRequest, project_id: int, year: int, month: int
) -> list[CapitalOut]:
    project = project_visible_or_404(request_user(request), project_id)
    return [_out(r) for r in selectors.month_versions(project, year, month)]
