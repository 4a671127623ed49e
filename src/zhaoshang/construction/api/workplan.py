"""Work plans and the reserve pipeline under /api/v1: ``/milestones`` and ``/reserve``.

Like ``projects.api``: reads through the scoped selectors (anything outside the
caller's areas is 404, checked before the role), writes through the services
(validated, versioned, audited); a read-only role gets 403 on a row it can see.
Errors are rendered centrally by ``zhaoshang.api`` (422, 404, 409, 403).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from zhaoshang.core.context import request_user
from zhaoshang.core.models import User
from zhaoshang.core.selectors import get_visible_or_404
from zhaoshang.projects.api_refs import (
    api_writer,
    caller_area,
    one_visible,
    paged,
    people_in_reach,
    person_or_none,
    units_in_reach,
)
from zhaoshang.projects.schemas import UnitOut
from zhaoshang.projects.selectors import clusters_visible_to, projects_visible_to

from ..choices import MilestoneStatus, ReserveStage
from ..models import Milestone, ReserveItem
from ..schemas_workplan import (
    MilestoneCreate,
    MilestoneFilters,
    MilestoneOut,
    MilestonePage,
    MilestoneUpdate,
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
from ..selectors import workplan as workplan_selectors
from ..services import reserve as reserve_services
from ..services import workplan as workplan_services

router = Router(tags=["work plans and reserve"])


def _value(value: Any) -> Any:
    """An enum member's value (schemas parse choices into enums), else the value itself."""
    return getattr(value, "value", value)


# --- milestones ------------------------------------------------------------------------


def _milestone_out(m: Milestone) -> MilestoneOut:
    return MilestoneOut(
        id=m.pk,
        project_id=m.project_id,
        project_name=m.project.name,
        area=m.area.code,
        title=m.title,
        due_date=m.due_date,
        leader=person_or_none(m.leader),
        unit=UnitOut(id=m.unit.pk, name=m.unit.name) if m.unit else None,
        responsible_person=m.responsible_person,
        status=m.status,
        status_label=str(MilestoneStatus(m.status).label),
        done_date=m.done_date,
        overdue=bool(getattr(m, "is_overdue", workplan_selectors.is_overdue(m))),
        note=m.note,
        version=m.version,
        updated_at=m.updated_at,
    )


def _people_refs(user: User, area: Any, data: dict[str, Any]) -> dict[str, Any]:
    """``leader_id``/``unit_id`` as rows the caller may name (422 when unknown or hidden)."""
    refs: dict[str, Any] = {}
    if "leader_id" in data:
        refs["leader"] = one_visible(
            people_in_reach(user, area), data.pop("leader_id"), "leader_id"
        )
    if "unit_id" in data:
        refs["unit"] = one_visible(units_in_reach(user, area), data.pop("unit_id"), "unit_id")
    return refs


@router.get("/milestones", response=MilestonePage, summary="Work-plan milestones, filtered")
def milestone_list(request: HttpRequest, filters: Query[MilestoneFilters]) -> dict[str, Any]:
    values = {k: _value(v) for k, v in filters.model_dump(exclude={"limit", "offset"}).items()}
    rows = workplan_selectors.milestone_list(request_user(request), values)
    return paged(rows, filters, _milestone_out)


@router.post("/milestones", response={201: MilestoneOut}, summary="Add a milestone to a project")
def milestone_create(request: HttpRequest, payload: MilestoneCreate) -> Status[MilestoneOut]:
    user = request_user(request)
    project = get_visible_or_404(
        projects_visible_to(user).select_related("area"), pk=payload.project_id
    )
    api_writer(request)
    data = payload.model_dump(exclude_unset=True, exclude={"project_id"})
    refs = _people_refs(user, project.area, data)
    milestone = workplan_services.milestone_create(
        acting_user=user, project=project, **{**_blank_none(data), **refs}
    )
    return Status(201, _milestone_out(workplan_selectors.milestone_or_404(user, milestone.pk)))


def _blank_none(data: dict[str, Any]) -> dict[str, Any]:
    """``null`` for a text field means empty text (the columns are not nullable)."""
    return {
        k: ("" if v is None and k in ("responsible_person", "note") else v) for k, v in data.items()
    }


@router.get("/milestones/{milestone_id}", response=MilestoneOut, summary="One milestone")
def milestone_detail(request: HttpRequest, milestone_id: int) -> MilestoneOut:
    return _milestone_out(workplan_selectors.milestone_or_404(request_user(request), milestone_id))


@router.put(
    "/milestones/{milestone_id}",
    response=MilestoneOut,
    summary="Change a milestone (only the fields sent; 409 if version is stale)",
)
def milestone_update(
    request: HttpRequest, milestone_id: int, payload: MilestoneUpdate
) -> MilestoneOut:
    user = request_user(request)
    milestone = workplan_selectors.milestone_or_404(user, milestone_id)
    api_writer(request)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    refs = _people_refs(user, milestone.project.area, data)
    if "status" in data:
        data["status"] = _value(data["status"])
    workplan_services.milestone_update(
        acting_user=user,
        milestone=milestone,
        expected_version=payload.version,
        **{**_blank_none(data), **refs},
    )
    return _milestone_out(workplan_selectors.milestone_or_404(user, milestone.pk))


# --- reserve ---------------------------------------------------------------------------


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
    return {k: _value(v) for k, v in data.items()}


@router.get("/reserve", response=ReservePage, summary="Reserve items, filtered")
def reserve_list(request: HttpRequest, filters: Query[ReserveFilters]) -> dict[str, Any]:
    values = {k: _value(v) for k, v in filters.model_dump(exclude={"limit", "offset"}).items()}
    rows = reserve_selectors.reserve_list(request_user(request), values)
    return paged(rows, filters, lambda i: ReserveItemOut(**_item_fields(i)))


@router.post("/reserve", response={201: ReserveDetail}, summary="Put a candidate into the reserve")
def reserve_create(request: HttpRequest, payload: ReserveCreate) -> Status[ReserveDetail]:
    user = request_user(request)
    area = caller_area(user, payload.area)
    api_writer(request)
    data = _reserve_changes(user, payload.model_dump(exclude_unset=True, exclude={"area"}))
    item = reserve_services.reserve_create(acting_user=user, area=area, **data)
    return Status(201, _reserve_detail(user, item.pk))


@router.get("/reserve/{item_id}", response=ReserveDetail, summary="One reserve item with its moves")
def reserve_detail(request: HttpRequest, item_id: int) -> ReserveDetail:
    return _reserve_detail(request_user(request), item_id)


@router.put(
    "/reserve/{item_id}",
    response=ReserveDetail,
    summary="Change a reserve item (only the fields sent; 409 if version is stale)",
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
    summary="Move a reserve item to another stage",
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
        to_stage=_value(payload.to_stage),
        event_date=payload.event_date,
        note=payload.note,
        reason=payload.reason,
        target_level=_value(payload.target_level) or "",
        expected_version=payload.version,
    )
    return _reserve_detail(user, item.pk)


@router.post(
    "/reserve/{item_id}/promote",
    response={201: PromoteOut},
    summary="Make an included item a project in its key list (no retyping)",
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
        stage=_value(payload.stage),
        event_date=payload.event_date,
        note=payload.note,
        expected_version=payload.version,
        **gate,
    )
    return Status(201, PromoteOut(project_id=project.pk, reserve=_reserve_detail(user, item.pk)))
