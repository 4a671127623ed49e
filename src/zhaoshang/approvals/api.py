"""Agency approvals under /api/v1/approvals: catalogue, plans, items and their moves.

Reads through the scoped selectors (another area's row is 404, checked before
the role), writes through the services (validated, versioned, audited); a
read-only role gets 403 on a row it can see. Errors are rendered centrally by
``zhaoshang.api.errors``: 422 naming the field, 404, 409 for a stale version.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop
from ninja import Query, Router, Status

from zhaoshang.api.pagination import paged
from zhaoshang.api.refs import api_writer, caller_area, enum_value, one_visible, person_ref_or_none
from zhaoshang.api.schemas import UnitOut
from zhaoshang.core.context import request_user
from zhaoshang.core.selectors import persons_in_reach, units_in_reach

from . import selectors, services
from .choices import ItemStatus, Phase
from .models import ApprovalItem, ApprovalItemType
from .schemas import (
    AgentIn,
    ConvertIn,
    EventOut,
    FulfilIn,
    IssueIn,
    ItemDetail,
    ItemFilters,
    ItemOut,
    ItemPage,
    LandIn,
    MoveIn,
    PauseIn,
    PauseOut,
    PlanIn,
    PromiseIn,
    PromiseOut,
    ResumeIn,
    TypeCreate,
    TypeFilters,
    TypeOut,
    TypePage,
    TypeUpdate,
)

router = Router(tags=["approvals"])


def _type_out(t: ApprovalItemType) -> TypeOut:
    return TypeOut(
        id=t.pk,
        area=t.area.code,
        phase=t.phase,
        phase_label=str(Phase(t.phase).label),
        name=t.name,
        department=UnitOut(id=t.department.pk, name=t.department.name),
        legal_limit=t.legal_limit,
        promised_limit=t.promised_limit,
        materials=t.materials,
        legal_basis=t.legal_basis,
        order=t.order,
        active=t.active,
        version=t.version,
    )


def _item_out(i: ApprovalItem, cls: type[ItemOut] = ItemOut, **extra: Any) -> Any:
    return cls(
        id=i.pk,
        project_id=i.project_id,
        project_name=i.project.name,
        area=i.area.code,
        item_type_id=i.item_type_id,
        name=i.item_type.name,
        phase=i.item_type.phase,
        department=UnitOut(id=i.item_type.department.pk, name=i.item_type.department.name),
        agent=person_ref_or_none(i.agent),
        status=i.status,
        status_label=str(ItemStatus(i.status).label),
        mode=i.mode,
        promised_limit=i.promised_limit,
        legal_limit=i.legal_limit,
        submitted_on=i.submitted_on,
        accepted_on=i.accepted_on,
        done_on=i.done_on,
        due_date=i.due_date,
        provisional=i.due_provisional,
        paused_days=i.paused_days,
        light=i.live_light,  # type: ignore[attr-defined]
        late_working_days=selectors.late_days(i),
        document_number=i.document_number,
        document_date=i.document_date,
        outcome=i.outcome,
        converted_on=i.converted_on,
        sim_document_number=i.sim_document_number,
        sim_document_date=i.sim_document_date,
        sim_status=i.sim_status,
        differs_from_simulated=selectors.issue_differences(i),
        version=i.version,
        **extra,
    )


def _detail(request: HttpRequest, pk: int) -> ItemDetail:
    user = request_user(request)
    item = selectors.item_or_404(user, pk)
    today = timezone.localdate()
    events = [
        EventOut(
            kind=e.kind,
            from_status=e.from_stage,
            to_status=e.to_stage,
            event_date=e.event_date,
            recorded_at=e.recorded_at,
            recorded_by=e.actor.get_username() if e.actor else None,
            late_entry=e.late_entry,
            reason=e.reason,
            note=e.note,
        )
        for e in item.events.select_related("actor").order_by("event_date", "recorded_at", "id")
    ]
    pauses = [
        PauseOut(
            id=p.pk,
            kind=p.kind,
            reason=p.reason,
            start=p.start,
            end=p.end,
            working_days=selectors.pause_days(p, today),
        )
        for p in item.pauses.all()
    ]
    promises = [
        PromiseOut(
            id=m.pk,
            material=m.material,
            promised_by=m.promised_by,
            fulfilled_on=m.fulfilled_on,
            overdue=m.fulfilled_on is None and m.promised_by < today,
        )
        for m in item.promises.all()
    ]
    return _item_out(item, ItemDetail, events=events, pauses=pauses, promises=promises)  # type: ignore[no-any-return]


# --- catalogue -------------------------------------------------------------------------------


@router.get(
    "/approvals/catalogue", response=TypePage, summary=gettext_noop("The approval catalogue")
)
def catalogue(request: HttpRequest, filters: Query[TypeFilters]) -> dict[str, Any]:
    values = {k: enum_value(v) for k, v in filters.model_dump(exclude={"limit", "offset"}).items()}
    return paged(selectors.catalogue(request_user(request), values), filters, _type_out)


@router.post(
    "/approvals/catalogue",
    response={201: TypeOut},
    summary=gettext_noop("Add an item to the approval catalogue"),
)
def type_create(request: HttpRequest, payload: TypeCreate) -> Status[TypeOut]:
    user = api_writer(request)
    data = payload.model_dump(exclude={"area", "department_id"})
    area = caller_area(user, payload.area)
    department = one_visible(units_in_reach(user, area), payload.department_id, "department_id")
    data["phase"] = enum_value(data["phase"])
    item_type = services.item_type_create(
        acting_user=user, area=area, department=department, **data
    )
    return Status(201, _type_out(selectors.type_or_404(user, item_type.pk)))


@router.put(
    "/approvals/catalogue/{type_id}",
    response=TypeOut,
    summary=gettext_noop("Change a catalogue item (only the fields sent; 409 if version is stale)"),
)
def type_update(request: HttpRequest, type_id: int, payload: TypeUpdate) -> TypeOut:
    user = request_user(request)
    item_type = selectors.type_or_404(user, type_id)
    api_writer(request)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "department_id" in data:
        data["department"] = one_visible(
            units_in_reach(user, item_type.area), data.pop("department_id"), "department_id"
        )
    if "phase" in data:
        data["phase"] = enum_value(data["phase"])
    services.item_type_update(
        acting_user=user, item_type=item_type, expected_version=payload.version, **data
    )
    return _type_out(selectors.type_or_404(user, item_type.pk))


# --- plans -----------------------------------------------------------------------------------


@router.post(
    "/approvals/projects/{project_id}/plan",
    response={201: list[ItemOut]},
    summary=gettext_noop("Generate a project's approval plan from the catalogue"),
)
def plan_generate(request: HttpRequest, project_id: int, payload: PlanIn) -> Status[list[ItemOut]]:
    user = request_user(request)
    project = selectors.project_or_404(user, project_id)
    api_writer(request)
    agent = one_visible(persons_in_reach(user, project.area), payload.agent_id, "agent_id")
    created = services.plan_generate(acting_user=user, project=project, agent=agent)
    rows = selectors.with_light(ApprovalItem.objects.filter(pk__in=[i.pk for i in created]))
    rows = rows.select_related("project", "area", "item_type__department", "agent__unit")
    return Status(201, [_item_out(i) for i in rows.order_by("order", "id")])


@router.post(
    "/approvals/projects/{project_id}/land",
    response={201: list[ItemOut]},
    summary=gettext_noop("Record the land transfer: simulated items convert to formal"),
)
def land_transferred(
    request: HttpRequest, project_id: int, payload: LandIn
) -> Status[list[ItemOut]]:
    user = request_user(request)
    project = selectors.project_or_404(user, project_id)
    api_writer(request)
    services.project_land_transferred(
        acting_user=user,
        project=project,
        transferred_on=payload.transferred_on,
        document=payload.document,
    )
    rows = selectors.item_list(user, {"project": project.pk, "sort": "item"})
    return Status(201, [_item_out(i) for i in rows])


# --- items -----------------------------------------------------------------------------------


@router.get("/approvals/items", response=ItemPage, summary=gettext_noop("Approval items, filtered"))
def item_list(request: HttpRequest, filters: Query[ItemFilters]) -> dict[str, Any]:
    values = {k: enum_value(v) for k, v in filters.model_dump(exclude={"limit", "offset"}).items()}
    return paged(selectors.item_list(request_user(request), values), filters, _item_out)


@router.get(
    "/approvals/items/{item_id}",
    response=ItemDetail,
    summary=gettext_noop("One approval item with its history, pauses and promises"),
)
def item_detail(request: HttpRequest, item_id: int) -> ItemDetail:
    return _detail(request, item_id)


def _writable_item(request: HttpRequest, item_id: int) -> tuple[Any, ApprovalItem]:
    user = request_user(request)
    item = selectors.item_or_404(user, item_id)
    api_writer(request)
    return user, item


@router.post(
    "/approvals/items/{item_id}/move",
    response=ItemDetail,
    summary=gettext_noop("Move an approval item's status"),
)
def item_move(request: HttpRequest, item_id: int, payload: MoveIn) -> ItemDetail:
    user, item = _writable_item(request, item_id)
    services.item_move(
        acting_user=user,
        item=item,
        to_status=enum_value(payload.to_status),
        event_date=payload.event_date,
        reason=payload.reason,
        note=payload.note,
        document_number=payload.document_number,
        document_date=payload.document_date,
        expected_version=payload.version,
    )
    return _detail(request, item_id)


@router.post(
    "/approvals/items/{item_id}/pause",
    response=ItemDetail,
    summary=gettext_noop("Pause an item's clock (补正, 专家评审, 听证, 检测)"),
)
def item_pause(request: HttpRequest, item_id: int, payload: PauseIn) -> ItemDetail:
    user, item = _writable_item(request, item_id)
    services.pause_open(
        acting_user=user,
        item=item,
        kind=enum_value(payload.kind),
        reason=payload.reason,
        start=payload.start,
        expected_version=payload.version,
    )
    return _detail(request, item_id)


@router.post(
    "/approvals/items/{item_id}/resume",
    response=ItemDetail,
    summary=gettext_noop("Resume an item's clock; the due date moves"),
)
def item_resume(request: HttpRequest, item_id: int, payload: ResumeIn) -> ItemDetail:
    user, item = _writable_item(request, item_id)
    services.pause_close(
        acting_user=user, item=item, end=payload.end, expected_version=payload.version
    )
    return _detail(request, item_id)


@router.post(
    "/approvals/items/{item_id}/promises",
    response={201: ItemDetail},
    summary=gettext_noop("Add a missing-material promise (容缺受理)"),
)
def item_promise(request: HttpRequest, item_id: int, payload: PromiseIn) -> Status[ItemDetail]:
    user, item = _writable_item(request, item_id)
    services.promise_add(
        acting_user=user,
        item=item,
        material=payload.material,
        promised_by=payload.promised_by,
        note=payload.note,
        expected_version=payload.version,
    )
    return Status(201, _detail(request, item_id))


@router.post(
    "/approvals/promises/{promise_id}/fulfil",
    response=ItemDetail,
    summary=gettext_noop("Mark a promised material as delivered"),
)
def promise_fulfil(request: HttpRequest, promise_id: int, payload: FulfilIn) -> ItemDetail:
    user = request_user(request)
    promise = selectors.promise_or_404(user, promise_id)
    api_writer(request)
    services.promise_fulfil(
        acting_user=user,
        promise=promise,
        fulfilled_on=payload.fulfilled_on,
        expected_version=payload.version,
    )
    return _detail(request, promise.item_id)


@router.post(
    "/approvals/items/{item_id}/agent",
    response=ItemDetail,
    summary=gettext_noop("Change an item's agent (代办员)"),
)
def item_agent(request: HttpRequest, item_id: int, payload: AgentIn) -> ItemDetail:
    user, item = _writable_item(request, item_id)
    agent = one_visible(persons_in_reach(user, item.area), payload.agent_id, "agent_id")
    services.agent_change(
        acting_user=user, item=item, agent=agent, expected_version=payload.version
    )
    return _detail(request, item_id)


@router.post(
    "/approvals/items/{item_id}/convert",
    response=ItemDetail,
    summary=gettext_noop("Convert a simulated item to formal (after the land transfer)"),
)
def item_convert(request: HttpRequest, item_id: int, payload: ConvertIn) -> ItemDetail:
    user, item = _writable_item(request, item_id)
    services.item_convert(
        acting_user=user,
        item=item,
        converted_on=payload.converted_on,
        expected_version=payload.version,
    )
    return _detail(request, item_id)


@router.post(
    "/approvals/items/{item_id}/issue",
    response=ItemDetail,
    summary=gettext_noop("Record a concluded item's document (批文)"),
)
def item_issue(request: HttpRequest, item_id: int, payload: IssueIn) -> ItemDetail:
    user, item = _writable_item(request, item_id)
    services.item_issue(
        acting_user=user,
        item=item,
        document_number=payload.document_number,
        document_date=payload.document_date,
        expected_version=payload.version,
    )
    return _detail(request, item_id)
