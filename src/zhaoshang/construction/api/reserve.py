"""The reserve pipeline under /api/v1: ``/reserve``.

Like ``projects.api``: reads through the scoped selectors (anything outside the
caller's areas is 404, checked before the role), writes through the services
(validated, versioned, audited); a read-only role gets 403 on a row it can see.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Query, Router, Status

from zhaoshang.api.pagination import paged
from zhaoshang.api.refs import api_writer, caller_area, enum_value, one_visible
from zhaoshang.core.context import request_user
from zhaoshang.core.models import User
from zhaoshang.projects.selectors import clusters_visible_to

from ..choices import ReserveStage
from ..models import ReserveItem
from ..schemas.reserve import (
    PromoteIn,
    PromoteOut,
    ReserveCreate,
    ReserveDetail,
    ReserveEventOut,
    ReserveFilters,
    ReserveItemOut,
    ReservePage,
    ReserveTransitionIn,
    ReserveUpdate,
)
from ..selectors import reserve as reserve_selectors
from ..services import reserve as reserve_services

router = Router(tags=["work plans and reserve"])


def _item_fields(item: ReserveItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "name": item.name,
        "investor_name": item.investor_name,
        "cluster_id": item.cluster_id,
        "cluster": item.cluster.name if item.cluster else None,
        "total_investment": None if item.total_investment is None else str(item.total_investment),
        "area": item.area.code,
        "stage": item.stage,
        "stage_label": str(ReserveStage(item.stage).label),
        "stage_since": getattr(item, "stage_since", None),
        "days_in_stage": reserve_selectors.days_in_stage(item),
        "target_level": item.target_level,
        "reject_reason": item.reject_reason,
        "project_id": item.project_id,
        "version": item.version,
        "updated_at": item.updated_at,
    }


def _reserve_detail(user: User, pk: int) -> ReserveDetail:
    item = reserve_selectors.reserve_or_404(user, pk)
    return ReserveDetail(
        **_item_fields(item),
        description=item.description,
        created_at=item.created_at,
        events=[
            ReserveEventOut(
                from_stage=e.from_stage,
                to_stage=e.to_stage,
                event_date=e.event_date,
                recorded_at=e.recorded_at,
                actor=e.actor.username if e.actor else None,
                note=e.note,
                reason=e.reason,
            )
            for e in reserve_selectors.reserve_timeline(item)
        ],
    )


def _reserve_changes(user: User, data: dict[str, Any]) -> dict[str, Any]:
    if "cluster_id" in data:
        data["cluster"] = one_visible(
            clusters_visible_to(user), data.pop("cluster_id"), "cluster_id"
        )
    for text in ("name", "investor_name", "description", "target_level"):
        if text in data and data[text] is None:
            data[text] = ""
    return {k: enum_value(v) for k, v in data.items()}


@router.get("/reserve", response=ReservePage, summary=gettext_noop("Reserve items, filtered"))
def reserve_list(request: HttpRequest, filters: Query[ReserveFilters]) -> dict[str, Any]:
    values = {k: enum_value(v) for k, v in filters.model_dump(exclude={"limit", "offset"}).items()}
    rows = reserve_selectors.reserve_list(request_user(request), values)
    return paged(rows, filters, lambda i: ReserveItemOut(**_item_fields(i)))


@router.post(
    "/reserve",
    response={201: ReserveDetail},
    summary=gettext_noop("Put a candidate into the reserve"),
)
def reserve_create(request: HttpRequest, payload: ReserveCreate) -> Status[ReserveDetail]:
    user = request_user(request)
    area = caller_area(user, payload.area)
    api_writer(request)
    data = _reserve_changes(user, payload.model_dump(exclude_unset=True, exclude={"area"}))
    item = reserve_services.reserve_create(acting_user=user, area=area, **data)
    return Status(201, _reserve_detail(user, item.pk))


@router.get(
    "/reserve/{item_id}",
    response=ReserveDetail,
    summary=gettext_noop("One reserve item with its moves"),
)
def reserve_detail(request: HttpRequest, item_id: int) -> ReserveDetail:
    return _reserve_detail(request_user(request), item_id)


@router.put(
    "/reserve/{item_id}",
    response=ReserveDetail,
    summary=gettext_noop("Change a reserve item (only the fields sent; 409 if version is stale)"),
)
def reserve_update(request: HttpRequest, item_id: int, payload: ReserveUpdate) -> ReserveDetail:
    user = request_user(request)
    item = reserve_selectors.reserve_or_404(user, item_id)
    api_writer(request)
    data = _reserve_changes(user, payload.model_dump(exclude_unset=True, exclude={"version"}))
    reserve_services.reserve_update(
        acting_user=user, item=item, expected_version=payload.version, **data
    )
    return _reserve_detail(user, item.pk)


@router.post(
    "/reserve/{item_id}/transitions",
    response=ReserveDetail,
    summary=gettext_noop("Move a reserve item to another stage"),
)
def reserve_transition(
    request: HttpRequest, item_id: int, payload: ReserveTransitionIn
) -> ReserveDetail:
    user = request_user(request)
    item = reserve_selectors.reserve_or_404(user, item_id)
    api_writer(request)
    reserve_services.reserve_transition(
        acting_user=user,
        item=item,
        to_stage=enum_value(payload.to_stage),
        event_date=payload.event_date,
        note=payload.note,
        reason=payload.reason,
        target_level=enum_value(payload.target_level) or "",
        expected_version=payload.version,
    )
    return _reserve_detail(user, item.pk)


@router.post(
    "/reserve/{item_id}/promote",
    response={201: PromoteOut},
    summary=gettext_noop("Make an included item a project in its key list (no retyping)"),
)
def reserve_promote(request: HttpRequest, item_id: int, payload: PromoteIn) -> Status[PromoteOut]:
    user = request_user(request)
    item = reserve_selectors.reserve_or_404(user, item_id)
    api_writer(request)
    gate = {
        k: v
        for k in ("contract_date", "contracted_amount", "start_date")
        if (v := getattr(payload, k)) is not None
    }
    project = reserve_services.reserve_promote(
        acting_user=user,
        item=item,
        year=payload.year,
        planned_investment=payload.planned_investment,
        stage=enum_value(payload.stage),
        event_date=payload.event_date,
        note=payload.note,
        expected_version=payload.version,
        **gate,
    )
    return Status(201, PromoteOut(project_id=project.pk, reserve=_reserve_detail(user, item.pk)))
