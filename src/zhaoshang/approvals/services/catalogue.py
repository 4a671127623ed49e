"""Writes of the area's approval settings and item catalogue."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction
from zhaoshang.core.models import Area, Unit, User
from zhaoshang.core.policy import Capability, require_area, within
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot
from zhaoshang.core.versions import bump_version

from ..models import ApprovalItemType, ApprovalSettings
from ..selectors import settings_of
from ._base import _audit_update

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
