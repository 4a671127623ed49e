"""Every write of targets and indicators: annual targets and monthly manual actuals.

Keyword-only, ``acting_user`` first (``None`` is the system, e.g. the demo
loader), validated before writing, audited with before/after in the same
transaction. An area the user may not see is 404 (its existence is not
disclosed); an area they see but may not change is PermissionDenied.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction
from zhaoshang.core.models import Area, User
from zhaoshang.core.policy import Capability, can, can_reach, can_set_targets
from zhaoshang.core.selectors import area_visible_or_404
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot

from .choices import ActualMode, Source
from .models import Actual, ActualModeChoice, Indicator, Target
from .selectors import PAID_IN


def _decimal(value: Any, field: str = "value") -> Decimal:
    """A non-negative Decimal, or a ValidationError naming ``field``."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Enter a number.")}) from exc
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    if number < 0:
        raise ValidationError({field: _("The value cannot be negative.")})
    return number


def audit_name(area: Area, year: int, indicator: Indicator, month: int | None = None) -> str:
    """How the audit log names a target, a month's actual or a mode: area, period, indicator.

    The models' ``__str__`` use ids to stay query-free; a 督查室 reader needs
    「驿城区 2026年 实际利用外资」, so the services name the row themselves.
    """
    names = {"area": area.name, "year": year, "month": month, "indicator": indicator.name}
    if month is None:
        return _("%(area)s, %(year)d: %(indicator)s") % names
    return _("%(area)s, %(year)d-%(month)02d: %(indicator)s") % names


def _visible_area(acting_user: User | None, area: Area) -> Area:
    return area if acting_user is None else area_visible_or_404(acting_user, area.code)


def _require_target_setter(acting_user: User | None, area: Area) -> None:
    if acting_user is not None and not can_set_targets(acting_user, area):
        raise PermissionDenied(
            _("Targets of %(area)s are set by the level above it.") % {"area": area.name}
        )


@transaction.atomic
def target_set(
    *, acting_user: User | None, area: Area, year: int, indicator: Indicator, value: Any
) -> Target | None:
    """Set (create or change) one annual target; only the level above may.

    ``None`` (or a blank) clears it: the row goes, the page then shows 未设定
    and no completion %; the audit row keeps what it was.
    """
    area = _visible_area(acting_user, area)
    _require_target_setter(acting_user, area)
    target = Target.objects.filter(area=area, year=year, indicator=indicator).first()
    before = snapshot(target) if target is not None else None
    if value is None or (isinstance(value, str) and not value.strip()):
        if target is not None:
            audit_record(
                acting_user=acting_user,
                action=AuditAction.DELETE,
                instance=target,
                before=before,
                object_repr=audit_name(area, year, indicator),
            )
            target.delete()
        return None
    number = _decimal(value)
    if target is None:
        target = Target(area=area, year=year, indicator=indicator)
    target.value = number
    target.set_by = acting_user
    target.full_clean()
    target.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=target,
        before=before,
        after=snapshot(target),
        object_repr=audit_name(area, year, indicator),
    )
    return target


def may_set_mode(user: User | None, area: Area) -> bool:
    """Who chooses an area's actual mode: whoever sets its targets, or an admin of the area."""
    if user is None:
        return True
    return can_set_targets(user, area) or (
        can(user, Capability.ADMINISTER) and can_reach(user, area)
    )


@transaction.atomic
def actual_mode_set(
    *, acting_user: User | None, area: Area, year: int, indicator: Indicator, mode: str
) -> ActualModeChoice:
    """Choose whether an area's actual of a paid-in indicator is computed from 到位资金 or entered.

    Only 实际利用外资 and 引进市外资金 have the choice; the other indicators are
    either always entered or always computed. Audited with before/after.
    """
    area = _visible_area(acting_user, area)
    if not may_set_mode(acting_user, area):
        raise PermissionDenied(
            _("The source of %(area)s's actuals is chosen by whoever sets its targets.")
            % {"area": area.name}
        )
    errors: dict[str, str] = {}
    if indicator.code not in PAID_IN:
        errors["indicator"] = _(
            "%(name)s cannot be computed from paid-in capital; only its entered figures count."
        ) % {"name": indicator.name}
    if mode not in ActualMode.values:
        errors["mode"] = _("Choose “entered” or “computed”.")
    if errors:
        raise ValidationError(errors)
    row = ActualModeChoice.objects.filter(area=area, year=year, indicator=indicator).first()
    before = snapshot(row) if row is not None else None
    if row is None:
        row = ActualModeChoice(area=area, year=year, indicator=indicator)
    elif row.mode == mode:
        return row
    row.mode = mode
    row.set_by = acting_user
    row.full_clean()
    row.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=row,
        before=before,
        after=snapshot(row),
        object_repr=audit_name(area, year, indicator),
    )
    return row


def actual_errors(
    *, indicator: Indicator, year: int, month: int, today: dt.date | None = None
) -> dict[str, str]:
    """Why a month's actual may not be typed, by field; empty when it may."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if indicator.source != Source.MANUAL:
        errors["indicator"] = _(
            "%(name)s is computed from project data and cannot be entered by hand."
        ) % {"name": indicator.name}
    if not 1 <= month <= 12:
        errors["month"] = _("The month must be between 1 and 12.")
    elif (year, month) > (today.year, today.month):
        errors["month"] = _("%(year)d-%(month)02d has not happened yet.") % {
            "year": year,
            "month": month,
        }
    return errors


@transaction.atomic
def actual_set(
    *,
    acting_user: User | None,
    area: Area,
    year: int,
    month: int,
    indicator: Indicator,
    value: Any,
    today: dt.date | None = None,
) -> Actual | None:
    """Enter one month's own figure of a manual indicator; ``None`` clears the month.

    Writers of the area or of any area above it may; a computed indicator, a
    future month or a negative value is refused and nothing is written.
    """
    area = _visible_area(acting_user, area)
    if acting_user is not None and not can(acting_user, Capability.WRITE):
        raise PermissionDenied(_("Your role may read targets but not enter actuals."))
    errors = actual_errors(indicator=indicator, year=year, month=month, today=today)
    if errors:
        raise ValidationError(errors)
    actual = Actual.objects.filter(area=area, year=year, month=month, indicator=indicator).first()
    before = snapshot(actual) if actual is not None else None
    if value is None or (isinstance(value, str) and not value.strip()):
        _actual_clear(acting_user=acting_user, actual=actual, before=before)
        return None
    number = _decimal(value)
    if actual is None:
        actual = Actual(area=area, year=year, month=month, indicator=indicator)
    elif actual.value == number:
        return actual
    actual.value = number
    actual.entered_by = acting_user
    actual.full_clean()
    actual.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=actual,
        before=before,
        after=snapshot(actual),
        object_repr=audit_name(area, year, indicator, month),
    )
    return actual


def _actual_clear(
    *, acting_user: User | None, actual: Actual | None, before: dict[str, Any] | None
) -> None:
    """Remove a month's figure (a blank cell in the grid); audited like any change."""
    if actual is None:
        return
    audit_record(
        acting_user=acting_user,
        action=AuditAction.DELETE,
        instance=actual,
        before=before,
        object_repr=audit_name(actual.area, actual.year, actual.indicator, actual.month),
    )
    actual.delete()
