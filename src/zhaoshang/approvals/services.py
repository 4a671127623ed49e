"""Writes of agency approvals (全程代办): catalogue, plans, moves, pauses, 容缺, 模拟→正式.

Every function is keyword-only, takes ``acting_user`` and asks ``core.policy``
first (write, in the row's area), validates before writing, checks the item's
``version`` (a stale one is a 409) and writes its audit row in the same
transaction; a refusal raises ValidationError and writes nothing. Pauses and
promises bump their item's version too: two agents working on one item
cannot silently overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction
from zhaoshang.core.lifecycle import log_move
from zhaoshang.core.models import Area, Person, Unit, User
from zhaoshang.core.policy import Capability, require_area, within
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot
from zhaoshang.core.versions import bump_version
from zhaoshang.projects.models import Project

from . import clock
from .choices import ITEM_DONE, ITEM_MAIN, EventKind, ItemStatus, Mode
from .lifecycle import ITEM
from .models import (
    ApprovalEvent,
    ApprovalItem,
    ApprovalItemType,
    ApprovalPause,
    ApprovalPromise,
    ApprovalSettings,
    LandTransfer,
)
from .selectors import catalogue_area, settings_of

FUTURE_DATE = _("The date cannot be in the future.")
TYPE_FIELDS = frozenset(
    {
        "phase",
        "name",
        "department",
        "legal_limit",
        "promised_limit",
        "materials",
        "legal_basis",
        "order",
        "active",
    }
)
#: the date field each status move sets
STATUS_DATE: dict[str, str] = {
    ItemStatus.SUBMITTED: "submitted_on",
    ItemStatus.ACCEPTED: "accepted_on",
    ItemStatus.APPROVED: "done_on",
    ItemStatus.REFUSED: "done_on",
}


def _not_future(value: dt.date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: FUTURE_DATE})


def _changed(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _audit_update(acting_user: User | None, row: Any, before: dict[str, Any], **extra: Any) -> None:
    old, new = _changed(before, snapshot(row))
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=row,
        before=old,
        after={**new, **extra},
    )


# --- settings and catalogue ------------------------------------------------------------------


def promised_default(legal_limit: int, settings: ApprovalSettings) -> int:
    """The area's promise for a legal limit: its ratio, rounded down, at least one day."""
    return max(1, legal_limit * settings.ratio_numerator // settings.ratio_denominator)


@transaction.atomic
def settings_save(
    *,
    acting_user: User | None,
    area: Area,
    ratio_numerator: int,
    ratio_denominator: int,
    total_target: int,
    expected_version: int | None = None,
) -> ApprovalSettings:
    """Set the area's promised ratio and its target for a project's whole approval time."""
    require_area(acting_user, Capability.WRITE, area)
    current = settings_of(area)
    before = snapshot(current) if current.pk else {}
    current.ratio_numerator = ratio_numerator
    current.ratio_denominator = ratio_denominator
    current.total_target = total_target
    current.full_clean(exclude=["version", "area"])
    if total_target < 1:
        raise ValidationError({"total_target": _("The target is at least 1 working day.")})
    if current.pk is None:
        current.save()
        audit_record(
            acting_user=acting_user,
            action=AuditAction.CREATE,
            instance=current,
            after=snapshot(current),
        )
        return current
    bump_version(
        current,
        expected_version,
        ratio_numerator=ratio_numerator,
        ratio_denominator=ratio_denominator,
        total_target=total_target,
    )
    _audit_update(acting_user, current, before)
    return current


def _check_type(item_type: ApprovalItemType) -> None:
    item_type.full_clean(exclude=["version"])
    department: Unit = item_type.department
    if not within(department.area, item_type.area):
        raise ValidationError(
            {"department": _("The department must belong to the catalogue's area or above.")}
        )


@transaction.atomic
def item_type_create(
    *,
    acting_user: User | None,
    area: Area,
    phase: str,
    name: str,
    department: Unit,
    legal_limit: int,
    promised_limit: int | None = None,
    materials: str = "",
    legal_basis: str = "",
    order: int = 0,
    active: bool = True,
) -> ApprovalItemType:
    """Add an item to the area's catalogue; the promise defaults to the area's ratio."""
    require_area(acting_user, Capability.WRITE, area)
    if promised_limit is None:
        promised_limit = promised_default(max(legal_limit, 1), settings_of(area))
    item_type = ApprovalItemType(
        area=area,
        phase=phase,
        name=name.strip(),
        department=department,
        legal_limit=legal_limit,
        promised_limit=promised_limit,
        materials=materials,
        legal_basis=legal_basis.strip(),
        order=order,
        active=active,
    )
    _check_type(item_type)
    item_type.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=item_type,
        after=snapshot(item_type),
    )
    return item_type


@transaction.atomic
def item_type_update(
    *,
    acting_user: User | None,
    item_type: ApprovalItemType,
    expected_version: int | None,
    **fields: Any,
) -> ApprovalItemType:
    """Change a catalogue item; items already planned keep the limits they were planned with."""
    require_area(acting_user, Capability.WRITE, item_type.area)
    unknown = set(fields) - TYPE_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(item_type)
    for field, value in fields.items():
        setattr(item_type, field, value.strip() if field in ("name", "legal_basis") else value)
    _check_type(item_type)
    values = {
        f.attname: getattr(item_type, f.attname)
        for f in ApprovalItemType._meta.concrete_fields
        if f.name in TYPE_FIELDS
    }
    bump_version(item_type, expected_version, **values)
    _audit_update(acting_user, item_type, before)
    return item_type


# --- plans -----------------------------------------------------------------------------------


def _check_agent(agent: Person | None, area: Area, kept: int | None = None) -> None:
    """代办员: a Person of the project's area or above, active (unless already the agent)."""
    if agent is None:
        return
    if not within(agent.area, area):
        raise ValidationError({"agent": _("This person belongs to another area.")})
    if not agent.active and agent.pk != kept:
        raise ValidationError({"agent": _("%(name)s is no longer active.") % {"name": agent.name}})


def has_land(project: Project) -> bool:
    return LandTransfer.objects.filter(project=project).exists()


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


# --- the clock --------------------------------------------------------------------------------


def _due(item: ApprovalItem) -> tuple[dt.date | None, bool]:
    """The promised limit from 受理 (次日起算), later by the working days paused."""
    if item.accepted_on is None:
        return None, False
    counted = clock.add_working_days(item.accepted_on, item.promised_limit + item.paused_days)
    return counted.value, counted.provisional


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


def _check_running(item: ApprovalItem) -> None:
    if item.status != ItemStatus.ACCEPTED:
        raise ValidationError(
            {"item": _("Only an accepted item whose clock runs can be paused or resumed.")}
        )


@transaction.atomic
def pause_open(
    *,
    acting_user: User | None,
    item: ApprovalItem,
    kind: str,
    reason: str,
    start: dt.date | None = None,
    expected_version: int | None = None,
) -> ApprovalPause:
    """Stop the clock for what the law excludes (补正, 专家评审, 听证, 检测); one at a time."""
    require_area(acting_user, Capability.WRITE, item.area)
    _check_running(item)
    if item.pauses.filter(end__isnull=True).exists():
        raise ValidationError({"start": _("The clock is already paused.")})
    start = start or timezone.localdate()
    _not_future(start, "start")
    if item.accepted_on and start < item.accepted_on:
        raise ValidationError({"start": _("A pause cannot start before acceptance.")})
    last = item.pauses.order_by("-end").values_list("end", flat=True).first()
    if last and start < last:
        raise ValidationError({"start": _("A pause cannot start before the last one ended.")})
    pause = ApprovalPause(
        item=item,
        kind=kind,
        reason=reason.strip(),
        start=start,
        recorded_at=timezone.now(),
        actor=acting_user,
    )
    pause.full_clean()
    bump_version(item, expected_version)
    pause.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=pause,
        area=item.area,
        after=snapshot(pause),
    )
    return pause


@transaction.atomic
def pause_close(
    *,
    acting_user: User | None,
    item: ApprovalItem,
    end: dt.date | None = None,
    expected_version: int | None = None,
) -> ApprovalPause:
    """Restart the clock: the pause's working days move the due date later."""
    require_area(acting_user, Capability.WRITE, item.area)
    pause = item.pauses.filter(end__isnull=True).first()
    if pause is None:
        raise ValidationError({"end": _("The clock is not paused.")})
    end = end or timezone.localdate()
    _not_future(end, "end")
    if end < pause.start:
        raise ValidationError({"end": _("The clock cannot resume before the pause started.")})
    before = snapshot(pause)
    pause.end = end
    pause.working_days = clock.working_days_between(pause.start, end)
    pause.save(update_fields=["end", "working_days"])
    item.paused_days += pause.working_days
    item.due_date, item.due_provisional = _due(item)
    bump_version(
        item,
        expected_version,
        paused_days=item.paused_days,
        due_date=item.due_date,
        due_provisional=item.due_provisional,
    )
    _audit_update(
        acting_user,
        pause,
        before,
        item_due_date=item.due_date.isoformat() if item.due_date else None,
    )
    return pause


# --- 容缺受理 / 告知承诺 --------------------------------------------------------------------------


@transaction.atomic
def promise_add(
    *,
    acting_user: User | None,
    item: ApprovalItem,
    material: str,
    promised_by: dt.date,
    note: str = "",
    expected_version: int | None = None,
) -> ApprovalPromise:
    """Accepted with a material missing: the applicant promises it by ``promised_by``."""
    require_area(acting_user, Capability.WRITE, item.area)
    if item.status not in (ItemStatus.SUBMITTED, ItemStatus.ACCEPTED):
        raise ValidationError(
            {"material": _("A missing material is promised at submission or acceptance.")}
        )
    start = item.accepted_on or item.submitted_on
    if start and promised_by < start:
        raise ValidationError(
            {"promised_by": _("The promised date cannot be before the application.")}
        )
    promise = ApprovalPromise(
        item=item,
        material=material.strip(),
        promised_by=promised_by,
        note=note,
        recorded_at=timezone.now(),
        actor=acting_user,
    )
    promise.full_clean()
    bump_version(item, expected_version)
    promise.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=promise,
        area=item.area,
        after=snapshot(promise),
    )
    return promise


@transaction.atomic
def promise_fulfil(
    *,
    acting_user: User | None,
    promise: ApprovalPromise,
    fulfilled_on: dt.date | None = None,
    expected_version: int | None = None,
) -> ApprovalPromise:
    """The promised material arrived on ``fulfilled_on`` (late ones stay visible as late)."""
    item = promise.item
    require_area(acting_user, Capability.WRITE, item.area)
    if promise.fulfilled_on is not None:
        raise ValidationError({"fulfilled_on": _("This promise is already fulfilled.")})
    fulfilled_on = fulfilled_on or timezone.localdate()
    _not_future(fulfilled_on, "fulfilled_on")
    if fulfilled_on < promise.recorded_at.date() - dt.timedelta(days=366):
        raise ValidationError({"fulfilled_on": _("The date is implausibly early.")})
    before = snapshot(promise)
    bump_version(item, expected_version)
    promise.fulfilled_on = fulfilled_on
    promise.save(update_fields=["fulfilled_on"])
    _audit_update(acting_user, promise, before)
    return promise


# --- 模拟审批 → formal --------------------------------------------------------------------------


@transaction.atomic
def project_land_transferred(
    *,
    acting_user: User | None,
    project: Project,
    transferred_on: dt.date,
    document: str = "",
) -> LandTransfer:
    """Record the land transfer; every simulated item of the project converts to formal."""
    require_area(acting_user, Capability.WRITE, project.area)
    _not_future(transferred_on, "transferred_on")
    if has_land(project):
        raise ValidationError({"transferred_on": _("The land transfer is already recorded.")})
    land = LandTransfer(
        project=project,
        transferred_on=transferred_on,
        document=document.strip(),
        recorded_at=timezone.now(),
        actor=acting_user,
    )
    land.full_clean()
    land.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=land,
        area=project.area,
        after=snapshot(land),
    )
    simulated = ApprovalItem.objects.filter(project=project, mode=Mode.SIMULATED)
    for item in simulated.select_related("area").order_by("order", "id"):
        item_convert(acting_user=acting_user, item=item, converted_on=transferred_on)
    return land


@transaction.atomic
def item_convert(
    *,
    acting_user: User | None,
    item: ApprovalItem,
    converted_on: dt.date | None = None,
    expected_version: int | None = None,
) -> ApprovalEvent:
    """A simulated item becomes formal, keeping its data, dates and history.

    What the simulated issue said (批文 number, date, outcome) is kept in the
    ``sim_*`` fields, so a formal issue that differs says so. The conversion is
    a row of the item's log and an audit row.
    """
    require_area(acting_user, Capability.WRITE, item.area)
    if item.mode != Mode.SIMULATED:
        raise ValidationError({"mode": _("This item is already formal.")})
    land = LandTransfer.objects.filter(project_id=item.project_id).first()
    if land is None:
        raise ValidationError(
            {"mode": _("A simulated item turns formal once the project's land is transferred.")}
        )
    when = converted_on or land.transferred_on
    _not_future(when, "converted_on")
    values = {
        "mode": Mode.FORMAL,
        "converted_on": when,
        "sim_document_number": item.document_number,
        "sim_document_date": item.document_date,
        "sim_status": item.status,
    }
    bump_version(item, expected_version, **values)
    for field, value in values.items():
        setattr(item, field, value)
    event = log_move(
        ApprovalEvent,
        item=item,
        from_stage=item.status,
        to_stage=item.status,
        event_date=when,
        actor=acting_user,
        note=_("Converted from simulated to formal approval."),
        kind=EventKind.CONVERSION,
        late_entry=clock.is_late_entry(when, timezone.localdate()),
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=item,
        before={"mode": Mode.SIMULATED},
        after={"mode": Mode.FORMAL, "converted_on": when.isoformat()},
    )
    return event


@transaction.atomic
def item_issue(
    *,
    acting_user: User | None,
    item: ApprovalItem,
    document_number: str,
    document_date: dt.date,
    expected_version: int | None = None,
) -> ApprovalItem:
    """Record the 批文 of a concluded item (the formal one after a conversion)."""
    require_area(acting_user, Capability.WRITE, item.area)
    if item.status not in ITEM_DONE:
        raise ValidationError(
            {"document_number": _("Only a concluded item has an issued document.")}
        )
    if not document_number.strip():
        raise ValidationError({"document_number": _("Give the document number.")})
    _not_future(document_date, "document_date")
    before = snapshot(item)
    bump_version(
        item, expected_version, document_number=document_number.strip(), document_date=document_date
    )
    item.document_number, item.document_date = document_number.strip(), document_date
    _audit_update(acting_user, item, before)
    return item
