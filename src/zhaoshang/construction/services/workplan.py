"""Writes of work plans (工作方案): milestones per project.

Seed: “逐项目制订工作方案，明确工作时限、分包领导、责任单位和责任人”. Each
function is keyword-only, takes ``acting_user``, validates before writing and
audits in the same transaction. A milestone carries a ``version`` so that two
people editing the same plan cannot silently overwrite each other (HTTP 409).
"Overdue" is never stored: it is derived from the due date (see the selectors).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction, PersonRank
from zhaoshang.core.models import Area, Person, Unit, User
from zhaoshang.core.policy import Capability, require_area, within
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot
from zhaoshang.core.versions import bump_version
from zhaoshang.projects.choices import LEADER_RANKS
from zhaoshang.projects.models import Project
from zhaoshang.projects.services import Kept, person_problem

from ..choices import MilestoneStatus
from ..models import Milestone

#: Fields ``milestone_update`` may change (``status``/``done_date`` with the done rules).
MILESTONE_FIELDS = frozenset(
    {"title", "due_date", "leader", "unit", "responsible_person", "note", "status", "done_date"}
)


def _check_people(milestone: Milestone, area: Area, kept: Kept) -> dict[str, str]:
    """分包领导 a leader-rank Person, 责任人 any Person: active and within the project's reach."""
    errors: dict[str, str] = {}
    leader: Person | None = milestone.leader
    if leader is not None:
        problem = person_problem(
            leader, "leader", area, ranks=LEADER_RANKS, kept=kept.get("leader", frozenset())
        )
        if problem:
            errors["leader"] = problem
    responsible: Person | None = milestone.responsible_person
    if responsible is not None:
        problem = person_problem(
            responsible,
            "responsible_person",
            area,
            ranks=tuple(PersonRank.values),
            kept=kept.get("responsible_person", frozenset()),
        )
        if problem:
            errors["responsible_person"] = problem
    unit: Unit | None = milestone.unit
    if unit is not None and not within(unit.area, area):
        errors["unit"] = _("The responsible unit must belong to the project's area or above.")
    return errors


def _check_done(milestone: Milestone) -> dict[str, str]:
    """Done needs a done date that has already come; anything else has none."""
    if milestone.status != MilestoneStatus.DONE:
        milestone.done_date = None
        return {}
    if milestone.done_date is None:
        return {"done_date": _("A finished milestone needs the date it was done.")}
    if milestone.done_date > timezone.localdate():
        return {"done_date": _("The done date cannot be in the future.")}
    return {}


def _kept(milestone: Milestone) -> Kept:
    """The Persons a stored milestone names: not judged again for rank or activity."""
    return {
        name: frozenset([pk]) if (pk := getattr(milestone, f"{name}_id")) else frozenset()
        for name in ("leader", "responsible_person")
    }


def _validate(milestone: Milestone, kept: Kept | None = None) -> None:
    milestone.full_clean(exclude=["version"])
    people = _check_people(milestone, milestone.project.area, kept or {})
    errors = {**people, **_check_done(milestone)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def milestone_create(
    *,
    acting_user: User | None,
    project: Project,
    title: str,
    due_date: dt.date,
    leader: Person | None = None,
    unit: Unit | None = None,
    responsible_person: Person | None = None,
    note: str = "",
) -> Milestone:
    """Add a milestone to a project's work plan; its area is the project's."""
    require_area(acting_user, Capability.WRITE, project.area)
    milestone = Milestone(
        area=project.area,
        project=project,
        title=title.strip(),
        due_date=due_date,
        leader=leader,
        unit=unit,
        responsible_person=responsible_person,
        note=note,
    )
    _validate(milestone)
    milestone.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=milestone,
        after=snapshot(milestone),
    )
    return milestone


@transaction.atomic
def milestone_update(
    *,
    acting_user: User | None,
    milestone: Milestone,
    expected_version: int | None,
    **fields: Any,
) -> Milestone:
    """Change a milestone; a stale ``expected_version`` raises ConflictError (409).

    Setting ``status`` to done needs ``done_date``; any other status clears it
    (a milestone reopened is no longer done).
    """
    require_area(acting_user, Capability.WRITE, milestone.area)
    unknown = set(fields) - MILESTONE_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(milestone)
    kept = _kept(milestone)
    for field, value in fields.items():
        setattr(
            milestone, field, value.strip() if isinstance(value, str) and field != "note" else value
        )
    _validate(milestone, kept)
    values = {
        f.attname: getattr(milestone, f.attname)
        for f in Milestone._meta.concrete_fields
        if f.name in MILESTONE_FIELDS
    }
    bump_version(milestone, expected_version, **values)
    _audit_change(acting_user, milestone, before)
    return milestone


@transaction.atomic
def milestone_complete(
    *,
    acting_user: User | None,
    milestone: Milestone,
    done_date: dt.date | None,
    expected_version: int | None = None,
) -> Milestone:
    """Mark a milestone done on ``done_date`` (not in the future)."""
    require_area(acting_user, Capability.WRITE, milestone.area)
    if milestone.status == MilestoneStatus.DONE:
        raise ValidationError({"status": _("This milestone is already done.")})
    return milestone_update(
        acting_user=acting_user,
        milestone=milestone,
        expected_version=expected_version,
        status=MilestoneStatus.DONE,
        done_date=done_date,
    )


def _audit_change(acting_user: User | None, row: models.Model, before: dict[str, Any]) -> None:
    after = snapshot(row)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=row,
        before={k: v for k, v in before.items() if after.get(k) != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
    )
