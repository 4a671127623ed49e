"""Projects API: enterprises, projects, stage moves and activities under /api/v1.

The API only validates form and serializes: reads go through
``projects.selectors`` (scoped to the caller first, so anything outside the
caller's areas is 404), writes through ``projects.services`` (validated,
versioned, audited). A role that may only read gets 403 on a write to a row
it can see.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop
from ninja import Query, Router, Status

from zhaoshang.api.pagination import paged
from zhaoshang.api.refs import (
    api_writer,
    caller_area,
    many_visible,
    one_visible,
    person_out,
    person_ref,
    person_ref_or_none,
)
from zhaoshang.core.context import request_user
from zhaoshang.core.models import Area, User
from zhaoshang.core.selectors import (
    get_visible_or_404,
    people_in_reach,
    persons_in_reach,
    units_in_reach,
)

from . import keylevels, selectors, services
from .choices import ActivityKind, KeyLevel, Stage
from .models import Activity, Enterprise, Project
from .schemas import (
    ActivityIn,
    ActivityOut,
    ChainOut,
    EnterpriseCreate,
    EnterpriseFilters,
    EnterpriseOut,
    EnterprisePage,
    EnterpriseUpdate,
    ProjectCreate,
    ProjectDetail,
    ProjectFields,
    ProjectFilters,
    ProjectPage,
    ProjectUpdate,
    StageDays,
    StageEventOut,
    TransitionIn,
    UnitOut,
)

router = Router(tags=["projects"])

#: ``ProjectFields`` keys that name another row, and the service argument each becomes.
PROJECT_REFS = {
    "investor_id": "investor",
    "cluster_id": "cluster",
    "sub_bureau_id": "sub_bureau",
    "lead_cadre_id": "lead_cadre",
    "responsible_chief_id": "responsible_chief",
    "frontline_sub_chief_id": "frontline_sub_chief",
}


# --- helpers ---------------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _project_changes(user: User, area: Area, payload: ProjectFields) -> dict[str, Any]:
    """The sent fields as ``project_create``/``project_update`` arguments (rows, not ids)."""
    data = payload.model_dump(
        exclude_unset=True, exclude={"version", "area", "stage", "event_date", "note"}
    )
    changes: dict[str, Any] = {}
    sources: dict[str, QuerySet[Any]] = {
        "investor": selectors.enterprises_visible_to(user),
        "cluster": selectors.clusters_visible_to(user),
        "sub_bureau": units_in_reach(user, area),
        # every Person in reach: a wrong rank is the service's 422 on the field, with why
        "lead_cadre": persons_in_reach(user, area),
        "responsible_chief": persons_in_reach(user, area),
        "frontline_sub_chief": persons_in_reach(user, area),
    }
    for key, value in data.items():
        if key in PROJECT_REFS:
            target = PROJECT_REFS[key]
            changes[target] = one_visible(sources[target], value, key)
        elif key == "tracker_ids":
            changes["trackers"] = many_visible(persons_in_reach(user, area), value or [], key)
        elif key == "cooperating_unit_ids":
            changes["cooperating_units"] = many_visible(
                units_in_reach(user, area), value or [], key
            )
        else:
            changes[key] = getattr(value, "value", value)
    return changes


def _project_or_404(user: User, project_id: int) -> Project:
    return get_visible_or_404(selectors.projects_visible_to(user), pk=project_id)


# --- serializers -------------------------------------------------------------------


def _enterprise_out(e: Enterprise) -> EnterpriseOut:
    return EnterpriseOut(
        id=e.pk,
        name=e.name,
        uscc=e.uscc,
        area=e.area.code,
        region_code=e.region_code,
        industry_code=e.industry_code,
        registered_capital=_money(e.registered_capital),
        founded_on=e.founded_on,
        employees=e.employees,
        tags=list(e.tags or []),
        is_leading=e.is_leading,
        cluster_id=e.cluster_id,
        description=e.description,
        updated_at=e.updated_at,
    )


#: The ledger row's columns, as ``.values()`` reads them: the list answer builds its items
#: from these dicts, not from model instances (a third of its time was spent building
#: twenty ``Project`` objects and their related rows; bench/load.py).
ROW_FIELDS = (
    "id",
    "code",
    "name",
    "investor_id",
    "investor__name",
    "investor_name",
    "stage",
    "cluster_id",
    "cluster__name",
    "total_investment",
    "area__code",
    "area__name",
    keylevels.KEY_LEVEL_OF_YEAR,
    "version",
    "last_progress",
    "updated_at",
)


def _row_of(p: Project) -> dict[str, Any]:
    """One fetched project as the dict ``.values(*ROW_FIELDS)`` gives for it (each
    ``a__b`` followed through the related rows; ``project_page_or_404`` annotated the
    year's level and the last progress)."""
    return {field: _follow(p, field) for field in ROW_FIELDS}


def _follow(row: Any, path: str) -> Any:
    for name in path.split("__"):
        if row is None:
            return None
        row = getattr(row, name)
    return row


def _item_fields(row: dict[str, Any], year: int, today: dt.date) -> dict[str, Any]:
    """A ledger row; ``key_level`` is the project's level in ``year`` (read-only)."""
    return {
        "id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "investor": row["investor__name"] or row["investor_name"],
        "investor_id": row["investor_id"],
        "stage": row["stage"],
        "stage_label": str(Stage(row["stage"]).label),
        "cluster": row["cluster__name"],
        "cluster_id": row["cluster_id"],
        "total_investment": str(row["total_investment"]),
        "area": row["area__code"],
        "area_name": row["area__name"],
        "key_level": str(row[keylevels.KEY_LEVEL_OF_YEAR] or KeyLevel.NONE),
        "key_level_year": year,
        "version": row["version"],
        "stuck": selectors.stalled(row["stage"], row["last_progress"], today),
        "last_progress": row["last_progress"],
        "updated_at": row["updated_at"],
    }


def _project_detail(user: User, project_id: int, year: int | None = None) -> ProjectDetail:
    year = keylevels.year_or_current(year)
    p = selectors.project_page_or_404(user, project_id, year)
    events = selectors.stage_moves(p)
    return ProjectDetail(
        **_item_fields(_row_of(p), year, timezone.localdate()),
        investor_name=p.investor_name,
        source_region=p.source_region,
        source_province=p.source_province,
        source_country=p.source_country,
        method=p.method,
        foreign_capital=str(p.foreign_capital),
        out_of_city_capital=str(p.out_of_city_capital),
        land_area=_money(p.land_area),
        land_parcel=p.land_parcel,
        contract_date=p.contract_date,
        contracted_amount=_money(p.contracted_amount),
        start_date=p.start_date,
        production_date=p.production_date,
        sub_bureau=UnitOut(id=p.sub_bureau.pk, name=p.sub_bureau.name) if p.sub_bureau else None,
        chain=ChainOut(
            lead_cadre=person_ref_or_none(p.lead_cadre),
            responsible_chief=person_ref_or_none(p.responsible_chief),
            frontline_sub_chief=person_ref_or_none(p.frontline_sub_chief),
            trackers=[person_ref(t) for t in p.trackers.all()],
            cooperating_units=[UnitOut(id=u.pk, name=u.name) for u in p.cooperating_units.all()],
            gaps=selectors.chain_gaps(p),
        ),
        time_in_stages=[
            StageDays(stage=stage, label=str(Stage(stage).label), days=days)
            for stage, days in selectors.time_in_stages(p)
        ],
        stage_events=[
            StageEventOut(
                from_stage=e.from_stage,
                to_stage=e.to_stage,
                event_date=e.event_date,
                recorded_at=e.recorded_at,
                actor=e.actor.username if e.actor else None,
                note=e.note,
                reason=e.reason,
            )
            for e in events
        ],
        notes=p.notes,
        created_at=p.created_at,
    )


def _activity_out(a: Activity) -> ActivityOut:
    return ActivityOut(
        id=a.pk,
        project_id=a.project_id,
        kind=a.kind,
        kind_label=str(ActivityKind(a.kind).label),
        date=a.date,
        days=str(a.days),
        people=[person_out(u) for u in a.people.all()],
        other_people=a.other_people,
        region=a.region,
        outcome=a.outcome,
        next_step=a.next_step,
        next_due=a.next_due,
        created_by=a.created_by.username,
        created_at=a.created_at,
    )


# --- enterprises --------------------------------------------------------------------


@router.get(
    "/enterprises", response=EnterprisePage, summary=gettext_noop("Enterprises the caller may see")
)
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]) -> dict[str, Any]:
    rows = selectors.enterprises_visible_to(request_user(request))
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(uscc=filters.q.strip().upper()))
    if filters.area:
        rows = rows.filter(area__code=filters.area)
    if filters.cluster:
        rows = rows.filter(cluster_id=filters.cluster)
    rows = rows.order_by("name", "id")
    return paged(rows, filters, _enterprise_out)


@router.post(
    "/enterprises", response={201: EnterpriseOut}, summary=gettext_noop("Register an enterprise")
)
def enterprise_create(request: HttpRequest, payload: EnterpriseCreate) -> Status[EnterpriseOut]:
    user = request_user(request)
    area = caller_area(user, payload.area)
    api_writer(request)
    enterprise = Enterprise(area=area)
    _apply_enterprise(user, enterprise, payload)
    services.enterprise_save(acting_user=user, enterprise=enterprise)
    return Status(201, _enterprise_out(_stored_enterprise(enterprise)))


@router.get(
    "/enterprises/{enterprise_id}", response=EnterpriseOut, summary=gettext_noop("One enterprise")
)
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> EnterpriseOut:
    enterprise = get_visible_or_404(
        selectors.enterprises_visible_to(request_user(request)), pk=enterprise_id
    )
    return _enterprise_out(enterprise)


@router.put(
    "/enterprises/{enterprise_id}",
    response=EnterpriseOut,
    summary=gettext_noop("Change an enterprise (only the fields sent)"),
)
def enterprise_update(
    request: HttpRequest, enterprise_id: int, payload: EnterpriseUpdate
) -> EnterpriseOut:
    user = request_user(request)
    enterprise = get_visible_or_404(selectors.enterprises_visible_to(user), pk=enterprise_id)
    api_writer(request)
    _apply_enterprise(user, enterprise, payload)
    services.enterprise_save(acting_user=user, enterprise=enterprise)
    return _enterprise_out(_stored_enterprise(enterprise))


def _stored_enterprise(enterprise: Enterprise) -> Enterprise:
    """The row as saved (amounts at the column's scale), not the in-memory input."""
    return Enterprise.objects.select_related("area").get(pk=enterprise.pk)


def _apply_enterprise(user: User, enterprise: Enterprise, payload: EnterpriseUpdate) -> None:
    data = payload.model_dump(exclude_unset=True, exclude={"area"})
    if "cluster_id" in data:
        enterprise.cluster = one_visible(
            selectors.clusters_visible_to(user), data.pop("cluster_id"), "cluster_id"
        )
    if "tags" in data:
        data["tags"] = [getattr(t, "value", t) for t in data["tags"] or []]
    for field, value in data.items():
        setattr(enterprise, field, value)


# --- projects -----------------------------------------------------------------------


@router.get(
    "/projects",
    response=ProjectPage,
    summary=gettext_noop("The project ledger, filtered and paged"),
)
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> dict[str, Any]:
    values = filters.model_dump(exclude={"limit", "offset"})
    values = {k: getattr(v, "value", v) for k, v in values.items()}
    rows = selectors.project_list(request_user(request), values)
    year = keylevels.year_or_current(values.get("year"))
    today = timezone.localdate()
    return paged(rows, filters, lambda row: _item_fields(row, year, today), ROW_FIELDS)


@router.post("/projects", response={201: ProjectDetail}, summary=gettext_noop("Create a project"))
def project_create(request: HttpRequest, payload: ProjectCreate) -> Status[ProjectDetail]:
    user = request_user(request)
    area = caller_area(user, payload.area)
    api_writer(request)
    changes = _project_changes(user, area, payload)
    project = services.project_create(
        acting_user=user,
        area=area,
        stage=payload.stage.value if isinstance(payload.stage, Stage) else payload.stage,
        event_date=payload.event_date,
        note=payload.note,
        **changes,
    )
    return Status(201, _project_detail(user, project.pk))


@router.get(
    "/projects/{project_id}", response=ProjectDetail, summary=gettext_noop("One project in full")
)
def project_detail(
    request: HttpRequest,
    project_id: int,
    year: int | None = None,
) -> ProjectDetail:
    """``year``: whose key-project level ``key_level`` is (this year by default)."""
    return _project_detail(request_user(request), project_id, year)


@router.put(
    "/projects/{project_id}",
    response=ProjectDetail,
    summary=gettext_noop("Change a project (only the fields sent; 409 if version is stale)"),
)
def project_update(request: HttpRequest, project_id: int, payload: ProjectUpdate) -> ProjectDetail:
    user = request_user(request)
    project = _project_or_404(user, project_id)
    api_writer(request)
    changes = _project_changes(user, project.area, payload)
    services.project_update(
        acting_user=user,
        project=project,
        expected_version=payload.version,
        trackers=changes.pop("trackers", None),
        cooperating_units=changes.pop("cooperating_units", None),
        **changes,
    )
    return _project_detail(user, project.pk)


@router.post(
    "/projects/{project_id}/transitions",
    response=ProjectDetail,
    summary=gettext_noop("Move a project to another stage"),
)
def project_transition(
    request: HttpRequest, project_id: int, payload: TransitionIn
) -> ProjectDetail:
    user = request_user(request)
    project = _project_or_404(user, project_id)
    api_writer(request)
    services.project_transition(
        acting_user=user,
        project=project,
        to_stage=payload.to_stage.value
        if isinstance(payload.to_stage, Stage)
        else payload.to_stage,
        event_date=payload.event_date,
        note=payload.note,
        reason=payload.reason,
        expected_version=payload.version,
        contract_date=payload.contract_date,
        contracted_amount=payload.contracted_amount,
        start_date=payload.start_date,
    )
    return _project_detail(user, project.pk)


# --- activities -----------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/activities",
    response=list[ActivityOut],
    summary=gettext_noop("A project's activities, newest first"),
)
def activity_list(request: HttpRequest, project_id: int) -> list[ActivityOut]:
    project = _project_or_404(request_user(request), project_id)
    activities = project.activities.select_related("created_by").prefetch_related("people")
    return [_activity_out(a) for a in activities.order_by("-date", "-id")]


@router.post(
    "/projects/{project_id}/activities",
    response={201: ActivityOut},
    summary=gettext_noop("Record an activity on a project"),
)
def activity_create(
    request: HttpRequest, project_id: int, payload: ActivityIn
) -> Status[ActivityOut]:
    user = request_user(request)
    project = _project_or_404(user, project_id)
    api_writer(request)
    people = many_visible(people_in_reach(user, project.area), payload.people_ids, "people_ids")
    activity = services.activity_create(
        acting_user=user,
        area=project.area,
        project=project,
        kind=payload.kind.value if isinstance(payload.kind, ActivityKind) else payload.kind,
        date=payload.date,
        days=payload.days,
        people=people,
        other_people=payload.other_people,
        region=payload.region,
        outcome=payload.outcome,
        next_step=payload.next_step,
        next_due=payload.next_due,
    )
    return Status(201, _activity_out(activity))
