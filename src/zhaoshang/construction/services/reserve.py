"""Writes of the reserve pipeline (项目储备): 筛选→论证→包装→申报→储备→纳入, or 否决.

The same event-log pattern as the project lifecycle (``projects.services``):
every move is a ``ReserveEvent`` (who, when it really happened, note, reason)
plus an audit row, in one transaction; a refused move writes nothing.
Promotion turns an included item into a ``Project`` and a key-list entry
from the item's own data, so nobody retypes it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction
from zhaoshang.core.lifecycle import log_move
from zhaoshang.core.models import Area, User
from zhaoshang.core.policy import Capability, require_area
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot
from zhaoshang.core.versions import bump_version
from zhaoshang.projects import services as project_services
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Cluster, Project
from zhaoshang.projects.services import event_date_checked

from ..choices import CITY_OR_ABOVE, ReserveStage
from ..lifecycle import RESERVE
from ..models import ReserveEvent, ReserveItem
from .workplan import _audit_change

#: Fields ``reserve_update`` may change; the stage moves only through ``reserve_transition``.
RESERVE_FIELDS = frozenset(
    {"name", "investor_name", "cluster", "total_investment", "description", "target_level"}
)
#: Stages nothing may leave (纳入, 否决), from the machine.
CLOSED = tuple(RESERVE.final)


def _check_item(item: ReserveItem) -> None:
    item.full_clean(exclude=["version", "project"])
    if item.cluster is not None and item.cluster.area_id != item.area_id:
        raise ValidationError({"cluster": _("The cluster must belong to the item's area.")})
    if item.target_level and item.target_level not in CITY_OR_ABOVE:
        raise ValidationError(
            {"target_level": _("A reserve item applies for the city or the provincial list.")}
        )


@transaction.atomic
def reserve_create(
    *,
    acting_user: User | None,
    area: Area,
    name: str,
    investor_name: str = "",
    cluster: Cluster | None = None,
    total_investment: Decimal | None = None,
    description: str = "",
    target_level: str = "",
    event_date: dt.date | None = None,
    note: str = "",
) -> ReserveItem:
    """Put a candidate into the pipeline at 筛选; the first event records when."""
    require_area(acting_user, Capability.WRITE, area)
    item = ReserveItem(
        area=area,
        name=name.strip(),
        investor_name=investor_name.strip(),
        cluster=cluster,
        total_investment=total_investment,
        description=description,
        target_level=target_level,
        stage=ReserveStage.SCREENING,
        created_by=acting_user,
    )
    _check_item(item)
    when = event_date_checked(event_date, None)
    item.save()
    log_move(
        ReserveEvent,
        item=item,
        from_stage="",
        to_stage=ReserveStage.SCREENING,
        event_date=when,
        actor=acting_user,
        note=note,
    )
    audit_record(
        acting_user=acting_user, action=AuditAction.CREATE, instance=item, after=snapshot(item)
    )
    return item


@transaction.atomic
def reserve_update(
    *, acting_user: User | None, item: ReserveItem, expected_version: int | None, **fields: Any
) -> ReserveItem:
    """Change an item's facts; a stale version is a 409, a promoted item is frozen."""
    require_area(acting_user, Capability.WRITE, item.area)
    unknown = set(fields) - RESERVE_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if item.project_id is not None:
        raise ValidationError(
            _("This item has become a project; change the project instead of the reserve item.")
        )
    before = snapshot(item)
    for field, value in fields.items():
        setattr(item, field, value.strip() if field in ("name", "investor_name") else value)
    _check_item(item)
    values = {
        f.attname: getattr(item, f.attname)
        for f in ReserveItem._meta.concrete_fields
        if f.name in RESERVE_FIELDS
    }
    bump_version(item, expected_version, **values)
    _audit_change(acting_user, item, before)
    return item


@transaction.atomic
def reserve_transition(
    *,
    acting_user: User | None,
    item: ReserveItem,
    to_stage: str,
    event_date: dt.date | None = None,
    note: str = "",
    reason: str = "",
    target_level: str = "",
    expected_version: int | None = None,
) -> ReserveEvent:
    """Move an item one step along the pipeline, back (with a reason) or to 否决.

    纳入 needs the list it is included in (city or province), given now or
    already applied for. Any refusal raises ValidationError and changes nothing.
    """
    require_area(acting_user, Capability.WRITE, item.area)
    illegal = RESERVE.move_error(item, to_stage, reason=reason)
    if illegal:
        raise ValidationError({"to_stage": illegal})
    level = target_level or item.target_level
    missing = RESERVE.gate_errors(item, to_stage, reason=reason, values={"target_level": level})
    if missing:
        raise ValidationError(missing)
    if target_level and target_level not in CITY_OR_ABOVE:
        raise ValidationError(
            {"target_level": _("A reserve item applies for the city or the provincial list.")}
        )
    last = item.events.order_by("-event_date", "-id").first()
    when = event_date_checked(event_date, last.event_date if last else None)
    from_stage = item.stage
    rejected = to_stage == ReserveStage.REJECTED
    values: dict[str, Any] = {"stage": to_stage, "target_level": level}
    values["reject_reason"] = reason.strip() if rejected else ""
    bump_version(item, expected_version, **values)
    for field, value in values.items():
        setattr(item, field, value)
    event = log_move(
        ReserveEvent,
        item=item,
        from_stage=from_stage,
        to_stage=to_stage,
        event_date=when,
        actor=acting_user,
        note=note,
        reason=reason.strip(),
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=item,
        before={"stage": from_stage},
        after={"stage": to_stage, "event_date": when.isoformat(), "reason": reason.strip()},
    )
    return event


@transaction.atomic
def reserve_promote(
    *,
    acting_user: User | None,
    item: ReserveItem,
    year: int,
    planned_investment: Decimal,
    stage: str = Stage.LEAD,
    event_date: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
    **project_fields: Any,
) -> Project:
    """Make an included item a project in the key list it was included in.

    The project takes the item's name, investor, cluster and total investment
    (nothing retyped) and starts at ``stage`` (线索 unless given, with that
    stage's gate data in ``project_fields``); the key-list entry is added by
    ``construction.services.investment.key_entry_add`` for ``year``. A second
    promotion is refused.
    """
    require_area(acting_user, Capability.WRITE, item.area)
    from .investment import key_entry_add

    if item.stage != ReserveStage.INCLUDED:
        raise ValidationError(
            {"stage": _("Only an item included in a key list can become a project.")}
        )
    if item.project_id is not None:
        raise ValidationError({"project": _("This item has already become a project.")})
    copied = {
        "investor_name": item.investor_name,
        "cluster": item.cluster,
        "total_investment": item.total_investment or Decimal("0"),
    }
    if item.cluster is not None and item.cluster.sub_bureau_id is not None:
        copied["sub_bureau"] = item.cluster.sub_bureau
    project = project_services.project_create(
        acting_user=acting_user,
        area=item.area,
        name=item.name,
        stage=stage,
        event_date=event_date,
        note=note or _("Promoted from the reserve pipeline."),
        **{**copied, **project_fields},
    )
    key_entry_add(
        acting_user=acting_user,
        project=project,
        year=year,
        level=item.target_level,
        planned_investment=planned_investment,
    )
    bump_version(item, expected_version, project=project)
    item.project = project
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=item,
        before={"project_id": None},
        # the year and level are on the key-list entry's own audit row (key_entry_add)
        after={"project_id": project.pk},
    )
    return project
