"""Writes that stop or qualify the clock: pauses (行政许可法 art. 45) and 容缺 promises."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core import calendar
from zhaoshang.core.models import User
from zhaoshang.core.policy import Capability, require_area
from zhaoshang.core.snapshots import snapshot
from zhaoshang.core.versions import bump_version

from ..choices import ItemStatus
from ..models import ApprovalItem, ApprovalPause, ApprovalPromise
from ._base import _add_to_item, _audit_update, _due, _not_future


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
    _add_to_item(acting_user, item, pause, expected_version)
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
    pause.working_days = calendar.working_days_between(pause.start, end)
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
    _add_to_item(acting_user, item, promise, expected_version)
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
