"""What every write of approvals shares: the no-future-date check, audit of changed
fields, and the due date from 受理."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction
from zhaoshang.core.models import User
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot
from zhaoshang.core.versions import bump_version

from .. import clock
from ..models import ApprovalItem

FUTURE_DATE = _("The date cannot be in the future.")


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


def _add_to_item(
    acting_user: User | None, item: ApprovalItem, row: Any, expected_version: int | None
) -> None:
    """Save a new row under ``item`` (a pause, a promise): validated, the item's version
    bumped (a stale form is refused before anything is written), audited."""
    row.full_clean()
    bump_version(item, expected_version)
    row.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=row,
        area=item.area,
        after=snapshot(row),
    )


def _due(item: ApprovalItem) -> tuple[dt.date | None, bool]:
    """The promised limit from 受理 (次日起算), later by the working days paused."""
    if item.accepted_on is None:
        return None, False
    due = clock.due_of(item.accepted_on, item.promised_limit, item.paused_days)
    return due.date, due.provisional
