"""Targets API under /api/v1: the indicator table of an area, targets and monthly actuals.

Reads go through ``targets.selectors`` (an area the caller may not see is
404, like an unknown one); writes through ``targets.services`` (the level
above sets targets, writers enter manual actuals; refusals are 403/422).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_noop
from ninja import Query, Router, Status

from zhaoshang.api.schemas import ServiceMonth
from zhaoshang.core.context import request_user
from zhaoshang.core.models import Area
from zhaoshang.core.selectors import area_visible_or_404

from . import selectors, services
from .models import Actual, Indicator, Target
from .schemas import (
    ActualFilters,
    ActualIn,
    ActualOut,
    IndicatorOut,
    IndicatorRowOut,
    ModeIn,
    ModeOut,
    TargetFilters,
    TargetOut,
    ValueIn,
    Year,
)
from .selectors import actual_label, plain

router = Router(tags=["targets"])


def _row_out(area: Area, row: selectors.IndicatorRow) -> dict[str, Any]:
    return {
        "indicator": row.indicator,
        "name": row.name,
        "unit": row.unit,
        "target": plain(row.target),
        "actual": plain(row.shown_actual),
        "completion_pct": None if row.completion_pct is None else str(row.completion_pct),
        "rank": row.rank,
        "of": row.of,
        "time_elapsed_pct": str(row.time_elapsed_pct),
        "mode": row.mode,
        "entered": plain(row.shown(row.entered)),
        "computed": plain(row.shown(row.computed)),
        "difference": plain(row.shown(row.difference)),
        "areas_below": row.below,
        "actual_label": actual_label(area, row),
    }


def _target_out(target: Target) -> dict[str, Any]:
    return {
        "area": target.area.code,
        "year": target.year,
        "indicator": target.indicator_id,
        "value": plain(target.value),
        "set_by": target.set_by.get_username() if target.set_by else None,
        "updated_at": target.updated_at,
    }


def _actual_out(actual: Actual) -> dict[str, Any]:
    return {
        "area": actual.area.code,
        "year": actual.year,
        "month": actual.month,
        "indicator": actual.indicator_id,
        "value": plain(actual.value),
        "entered_by": actual.entered_by.get_username() if actual.entered_by else None,
        "updated_at": actual.updated_at,
    }


@router.get(
    "/indicators", response=list[IndicatorOut], summary=gettext_noop("The indicators assessed")
)
def indicator_list(request: HttpRequest) -> list[Indicator]:
    return selectors.indicators()


@router.get(
    "/targets",
    response=list[IndicatorRowOut],
    summary=gettext_noop("Targets, actuals, completion % and rank of one area and year"),
)
def target_table(request: HttpRequest, filters: Query[TargetFilters]) -> list[dict[str, Any]]:
    user = request_user(request)
    area = area_visible_or_404(user, filters.area)
    rows = selectors.indicator_rows(user, area=area, year=filters.year)
    return [_row_out(area, row) for row in rows]


@router.put(
    "/targets/{area}/{year}/{indicator}",
    response={200: TargetOut, 204: None},
    summary=gettext_noop("Set one annual target (by the level above the area); null clears it"),
)
def target_put(
    request: HttpRequest, area: str, year: Year, indicator: str, payload: ValueIn
) -> Any:
    user = request_user(request)
    place = area_visible_or_404(user, area)
    target = services.target_set(
        acting_user=user,
        area=place,
        year=year,
        indicator=get_object_or_404(Indicator, code=indicator),
        value=payload.value,
    )
    if target is None:
        return HttpResponse(status=204)
    return _target_out(target)


@router.put(
    "/targets/{area}/{year}/{indicator}/mode",
    response=ModeOut,
    summary=gettext_noop(
        "Choose whether a paid-in indicator's actual is entered or computed from 到位资金"
    ),
)
def mode_put(
    request: HttpRequest, area: str, year: Year, indicator: str, payload: ModeIn
) -> dict[str, Any]:
    user = request_user(request)
    place = area_visible_or_404(user, area)
    row = services.actual_mode_set(
        acting_user=user,
        area=place,
        year=year,
        indicator=get_object_or_404(Indicator, code=indicator),
        mode=payload.mode.value,
    )
    return {
        "area": place.code,
        "year": row.year,
        "indicator": row.indicator_id,
        "mode": row.mode,
        "set_by": row.set_by.get_username() if row.set_by else None,
        "updated_at": row.updated_at,
    }


@router.get(
    "/actuals",
    response=list[ActualOut],
    summary=gettext_noop("Monthly figures of the manual indicators"),
)
def actual_list(request: HttpRequest, filters: Query[ActualFilters]) -> list[dict[str, Any]]:
    area = area_visible_or_404(request_user(request), filters.area)
    rows = Actual.objects.filter(area=area, year=filters.year).select_related("area", "entered_by")
    return [_actual_out(a) for a in rows.order_by("indicator__sort", "month")]


@router.put(
    "/actuals/{area}/{year}/{month}/{indicator}",
    response={200: ActualOut, 204: None},
    summary=gettext_noop("Enter (or clear, with null) one month's figure of a manual indicator"),
)
def actual_put(
    request: HttpRequest,
    area: str,
    year: Year,
    month: ServiceMonth,
    indicator: str,
    payload: ActualIn,
) -> Any:
    user = request_user(request)
    place = area_visible_or_404(user, area)
    actual = services.actual_set(
        acting_user=user,
        area=place,
        year=year,
        month=month,
        indicator=get_object_or_404(Indicator, code=indicator),
        value=payload.value,
    )
    if actual is None:
        return HttpResponse(status=204)
    return Status(200, _actual_out(actual))
