"""Work plans under /api/v1: ``/milestones``.

Like ``projects.api``: reads through the scoped selectors (anything outside the
caller's areas is 404, checked before the role), writes through the services
(validated, versioned, audited); a read-only role gets 403 on a row it can see.
Errors are rendered centrally by ``zhaoshang.api.errors`` (422, 404, 409, 403).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Query, Router, Status

from zhaoshang.api.pagination import paged
from zhaoshang.api.refs import api_writer, enum_value, one_visible, person_ref_or_none
from zhaoshang.api.schemas import UnitOut
from zhaoshang.core.context import request_user
from zhaoshang.core.models import User
from zhaoshang.core.selectors import get_visible_or_404, persons_in_reach, units_in_reach
from zhaoshang.projects.selectors import projects_visible_to

from ..choices import MilestoneStatus
from ..models import Milestone
from ..schemas.workplan import (
    MilestoneCreate,
    MilestoneFilters,
    MilestoneOut,
    MilestonePage,
    MilestoneUpdate,
)
from ..selectors import workplan as workplan_selectors
from ..services import workplan as workplan_services

router = Router(tags=["work plans and reserve"])


def _milestone_out(m: Milestone) -> MilestoneOut:
    return MilestoneOut(
        id=m.pk,
        project_id=m.project_id,
        project_name=m.project.name,
        area=m.area.code,
        title=m.title,
        due_date=m.due_date,
        leader=person_ref_or_none(m.leader),
        unit=UnitOut(id=m.unit.pk, name=m.unit.name) if m.unit else None,
        responsible_person=person_ref_or_none(m.responsible_person),
        status=m.status,
        status_label=str(MilestoneStatus(m.status).label),
        done_date=m.done_date,
        overdue=bool(getattr(m, "is_overdue", workplan_selectors.is_overdue(m))),
        done_late=m.done_date is not None and m.done_date > m.due_date,
        done_late_working_days=workplan_selectors.late_working_days(m),
        note=m.note,
        version=m.version,
        updated_at=m.updated_at,
    )


def _people_refs(user: User, area: Any, data: dict[str, Any]) -> dict[str, Any]:
    """``leader_id``/``responsible_person_id``/``unit_id`` as rows the caller may name
    (422 when unknown or hidden; a Person of the wrong rank is the service's 422)."""
    refs: dict[str, Any] = {}
    for key in ("leader", "responsible_person"):
        if f"{key}_id" in data:
            refs[key] = one_visible(
                persons_in_reach(user, area), data.pop(f"{key}_id"), f"{key}_id"
            )
    if "unit_id" in data:
        refs["unit"] = one_visible(units_in_reach(user, area), data.pop("unit_id"), "unit_id")
    return refs


@router.get(
    "/milestones", response=MilestonePage, summary=gettext_noop("Work-plan milestones, filtered")
)
def milestone_list(request: HttpRequest, filters: Query[MilestoneFilters]) -> dict[str, Any]:
    values = {k: enum_value(v) for k, v in filters.model_dump(exclude={"limit", "offset"}).items()}
    rows = workplan_selectors.milestone_list(request_user(request), values)
    return paged(rows, filters, _milestone_out)


@router.post(
    "/milestones",
    response={201: MilestoneOut},
    summary=gettext_noop("Add a milestone to a project"),
)
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
    return {k: ("" if v is None and k == "note" else v) for k, v in data.items()}


@router.get(
    "/milestones/{milestone_id}", response=MilestoneOut, summary=gettext_noop("One milestone")
)
def milestone_detail(request: HttpRequest, milestone_id: int) -> MilestoneOut:
    return _milestone_out(workplan_selectors.milestone_or_404(request_user(request), milestone_id))


@router.put(
    "/milestones/{milestone_id}",
    response=MilestoneOut,
    summary=gettext_noop("Change a milestone (only the fields sent; 409 if version is stale)"),
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
        data["status"] = enum_value(data["status"])
    workplan_services.milestone_update(
        acting_user=user,
        milestone=milestone,
        expected_version=payload.version,
        **{**_blank_none(data), **refs},
    )
    return _milestone_out(workplan_selectors.milestone_or_404(user, milestone.pk))
