"""模拟审批 → formal: the land transfer, each item's conversion, the formal 批文."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction
from zhaoshang.core.lifecycle import log_move
from zhaoshang.core.models import User
from zhaoshang.core.policy import Capability, require_area
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot
from zhaoshang.core.versions import bump_version
from zhaoshang.projects.models import Project

from .. import clock
from ..choices import ITEM_DONE, EventKind, Mode
from ..models import ApprovalEvent, ApprovalItem, LandTransfer
from ._base import _audit_update, _not_future


def has_land(project: Project) -> bool:
    return LandTransfer.objects.filter(project=project).exists()


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
