"""Writes of a project's approval plan: generating it, naming 代办员, moving items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction
from zhaoshang.core.lifecycle import log_move
from zhaoshang.core.models import Area, Person, User
from zhaoshang.core.policy import Capability, require_area, within
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot
from zhaoshang.core.versions import bump_version
from zhaoshang.projects.models import Project

from .. import clock
from ..choices import ITEM_DONE, ITEM_MAIN, EventKind, ItemStatus, Mode
from ..lifecycle import ITEM
from ..models import ApprovalEvent, ApprovalItem, ApprovalItemType
from ..selectors import catalogue_area
from ._base import _audit_update, _due, _not_future
from .simulated import has_land

#: the date field each status move sets
STATUS_DATE: dict[str, str] = {
    ItemStatus.SUBMITTED: "submitted_on",
    ItemStatus.ACCEPTED: "accepted_on",
    ItemStatus.APPROVED: "done_on",
    ItemStatus.REFUSED: "done_on",
}


def _check_agent(agent: Person | None, area: Area, kept: int | None = None) -> None:
    """代办员: a Person of the project's area or above, active (unless already the agent)."""
    if agent is None:
        return
    if not within(agent.area, area):
        raise ValidationError({"agent": _("This person belongs to another area.")})
    if not agent.active and agent.pk != kept:
        raise ValidationError({"agent": _("%(name)s is no longer active.") % {"name": agent.name}})


@transaction.atomic
def plan_generate(
    *,
    acting_user: User | None,
    project: Project,
    agent: Person | None = None,
    planned_on: dt.date | None = None,
) -> list[ApprovalItem]:
    """Add the catalogue's active items to a project's plan, skipping those it has.

    The catalogue is the project's area's, or the nearest one above. Before the
    land is transferred the items run simulated (模拟审批). Returns the new items.
    """
    require_area(acting_user, Capability.WRITE, project.area)
    _check_agent(agent, project.area)
    planned_on = planned_on or timezone.localdate()
    _not_future(planned_on, "planned_on")
    source = catalogue_area(project.area)
    if source is None:
        raise ValidationError({"project": _("The project's area has no approval catalogue yet.")})
    present = set(
        ApprovalItem.objects.filter(project=project).values_list("item_type_id", flat=True)
    )
    types = ApprovalItemType.objects.filter(area=source, active=True).exclude(pk__in=present)
    mode = Mode.FORMAL if has_land(project) else Mode.SIMULATED
    created = []
    for item_type in types.order_by("order", "id"):
        item = ApprovalItem(
            area=project.area,
            project=project,
            item_type=item_type,
            agent=agent,
            mode=mode,
            promised_limit=item_type.promised_limit,
            legal_limit=item_type.legal_limit,
            order=item_type.order,
        )
        item.full_clean(exclude=["version"])
        item.save()
        log_move(
            ApprovalEvent,
            item=item,
            from_stage="",
            to_stage=ItemStatus.NOT_STARTED,
            event_date=planned_on,
            actor=acting_user,
            late_entry=clock.is_late_entry(planned_on, timezone.localdate()),
        )
        audit_record(
            acting_user=acting_user, action=AuditAction.CREATE, instance=item, after=snapshot(item)
        )
        created.append(item)
    return created


@transaction.atomic
def agent_change(
    *,
    acting_user: User | None,
    item: ApprovalItem,
    agent: Person | None,
    expected_version: int | None = None,
) -> ApprovalItem:
    """Name the item's 代办员 (or none)."""
    require_area(acting_user, Capability.WRITE, item.area)
    _check_agent(agent, item.area, kept=item.agent_id)
    before = snapshot(item)
    bump_version(item, expected_version, agent=agent)
    item.agent = agent
    _audit_update(acting_user, item, before)
    return item


def _last_event_date(item: ApprovalItem) -> dt.date | None:
    last = (
        item.events.filter(kind=EventKind.MOVE)
        .exclude(from_stage="")
        .order_by("-event_date", "-id")
        .first()
    )
    return last.event_date if last else None


def _move_values(item: ApprovalItem, to_status: str, when: dt.date) -> dict[str, Any]:
    """The fields a move changes: its date, and going back clears the later stages' dates."""
    values: dict[str, Any] = {"status": to_status}
    if to_status in STATUS_DATE:
        values[STATUS_DATE[to_status]] = when
    if to_status in ITEM_MAIN:
        reached = ITEM_MAIN.index(to_status)
        for later in ITEM_MAIN[reached + 1 :]:
            values[STATUS_DATE[later]] = None
        if reached < ITEM_MAIN.index(ItemStatus.ACCEPTED):
            values["paused_days"] = 0
    return values


@transaction.atomic
def item_move(
    *,
    acting_user: User | None,
    item: ApprovalItem,
    to_status: str,
    event_date: dt.date | None = None,
    reason: str = "",
    note: str = "",
    document_number: str = "",
    document_date: dt.date | None = None,
    expected_version: int | None = None,
) -> ApprovalEvent:
    """Move an item along 未启动→已申报→已受理→已办结, to 不予许可, or back (with a reason).

    ``event_date`` is when it happened (default today; not in the future, not
    before the last move); the server stamps when it was entered, and a date
    more than 2 working days back makes the row a 补录. 受理 sets the due date.
    A concluded item may carry its 批文 (a 模拟批文 while simulated).
    """
    require_area(acting_user, Capability.WRITE, item.area)
    illegal = ITEM.move_error(item, to_status, reason=reason)
    if illegal:
        raise ValidationError({"to_status": illegal})
    if to_status == ItemStatus.REFUSED and item.status != ItemStatus.ACCEPTED:
        raise ValidationError(
            {"to_status": _("Only an accepted application can be refused a permit.")}
        )
    if item.pauses.filter(end__isnull=True).exists():
        raise ValidationError({"to_status": _("The clock is paused: resume it first.")})
    when = event_date or timezone.localdate()
    _not_future(when, "event_date")
    previous = _last_event_date(item)
    if previous and when < previous and to_status in STATUS_DATE:
        raise ValidationError(
            {
                "event_date": _("The date cannot be before the previous move (%(d)s).")
                % {"d": previous.isoformat()}
            }
        )
    values = _move_values(item, to_status, when)
    missing = ITEM.gate_errors(item, to_status, reason=reason, values=values)
    if missing:
        raise ValidationError(missing)
    if document_date is not None:
        _not_future(document_date, "document_date")
    if to_status in ITEM_DONE:
        values["document_number"] = document_number.strip() or item.document_number
        values["document_date"] = document_date or item.document_date
        values["outcome"] = reason.strip() if to_status == ItemStatus.REFUSED else item.outcome
    from_status = item.status
    for field, value in values.items():
        setattr(item, field, value)
    item.due_date, item.due_provisional = _due(item)
    values.update(due_date=item.due_date, due_provisional=item.due_provisional)
    bump_version(item, expected_version, **values)
    return _log_move(acting_user, item, from_status, when, note=note, reason=reason.strip())


def _log_move(
    acting_user: User | None,
    item: ApprovalItem,
    from_status: str,
    when: dt.date,
    *,
    note: str,
    reason: str,
) -> ApprovalEvent:
    """The move's log row (补录 when dated over 2 working days back) and its audit row."""
    event = log_move(
        ApprovalEvent,
        item=item,
        from_stage=from_status,
        to_stage=item.status,
        event_date=when,
        actor=acting_user,
        note=note,
        reason=reason,
        late_entry=clock.is_late_entry(when, timezone.localdate()),
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=item,
        before={"status": from_status},
        after={
            "status": item.status,
            "event_date": when.isoformat(),
            "late_entry": event.late_entry,
            "due_date": item.due_date.isoformat() if item.due_date else None,
            "reason": reason,
        },
    )
    return event
