"""Writes of paid-in capital (到位资金): per project and month, versioned like monthly investment.

A project's capital is reported once it has signed (签约 or later, or a
contract date on a paused/terminated one): before signing no money is due, and
a report there is almost always a typo of another project. The month must have
begun, both amounts are non-negative (万美元 and 万元). A correction is a new
version; the old one is kept with ``is_current`` cleared. The same amounts
again write nothing. Every new version has its audit row in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction
from zhaoshang.core.models import User
from zhaoshang.core.policy import Capability, require, require_area
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot
from zhaoshang.core.versions import ConflictError
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project

from ..models import PaidInCapital
from .investment import MAX_AMOUNT, ROLLUP_CHUNK, RecordCounts, month_errors

#: stages at which a project has signed: its capital may be paid in
SIGNED_OR_LATER = (Stage.SIGNED, Stage.LANDED, Stage.CONSTRUCTION, Stage.PRODUCTION)
FIELDS = ("foreign_capital", "out_of_city_capital")


def field_label(field: str) -> str:
    """The Chinese name of an amount field, for messages that name it."""
    labels = {
        "foreign_capital": _("foreign capital paid in (10k USD)"),
        "out_of_city_capital": _("out-of-city capital paid in (10k yuan)"),
    }
    return labels[field]


def amount_errors(values: dict[str, Any]) -> dict[str, str]:
    """Each amount must be a non-negative number within the column; errors name the field."""
    errors: dict[str, str] = {}
    for field in FIELDS:
        value = values.get(field)
        label = field_label(field)
        if value is None:
            errors[field] = _("Enter the %(field)s (0 if none).") % {"field": label}
        elif not isinstance(value, Decimal) or not value.is_finite():
            errors[field] = _("The %(field)s must be a number.") % {"field": label}
        elif value < 0:
            errors[field] = _("The %(field)s cannot be negative.") % {"field": label}
        elif value > MAX_AMOUNT:
            errors[field] = _("The %(field)s is too large.") % {"field": label}
    return errors


def may_receive(project: Project) -> bool:
    return project.stage in SIGNED_OR_LATER or project.contract_date is not None


def unsigned_message(project: Project) -> str:
    return _(
        "“%(name)s” has not signed yet (stage: %(stage)s); paid-in capital is reported "
        "from 签约 on."
    ) % {"name": project.name, "stage": project.get_stage_display()}


def is_unchanged(report: PaidInCapital) -> bool:
    """True when ``capital_report`` found the same amounts already current (no new version)."""
    return bool(getattr(report, "_unchanged", False))


def _same(row: PaidInCapital, foreign: Decimal, out_of_city: Decimal) -> bool:
    return row.foreign_capital == foreign and row.out_of_city_capital == out_of_city


@transaction.atomic
def capital_report(
    *,
    acting_user: User | None,
    project: Project,
    year: int,
    month: int,
    foreign_capital: Decimal,
    out_of_city_capital: Decimal,
    note: str = "",
    expected_version: int | None = None,
) -> PaidInCapital:
    """Report (or correct) one project's 到位资金 of one month.

    ``expected_version`` is the current version the caller read (0: none yet);
    when given and stale the write is refused with ``ConflictError`` (409), so
    two people correcting the same month cannot silently overwrite each other.
    """
    require_area(acting_user, Capability.WRITE, project.area)
    errors = month_errors(year, month)
    errors.update(
        amount_errors(
            {"foreign_capital": foreign_capital, "out_of_city_capital": out_of_city_capital}
        )
    )
    if not may_receive(project):
        errors["project"] = unsigned_message(project)
    if errors:
        raise ValidationError(errors)
    current = (
        PaidInCapital.objects.select_for_update()
        .filter(project=project, year=year, month=month, is_current=True)
        .first()
    )
    held = current.version if current else 0
    if expected_version is not None and expected_version != held:
        raise ConflictError(held)
    if current is not None and _same(current, foreign_capital, out_of_city_capital):
        current._unchanged = True  # type: ignore[attr-defined]
        return current
    report = PaidInCapital(
        area_id=project.area_id,
        project=project,
        year=year,
        month=month,
        foreign_capital=foreign_capital,
        out_of_city_capital=out_of_city_capital,
        version=held + 1,
        note=note,
        entered_by=acting_user,
        entered_at=timezone.now(),
    )
    report.full_clean(validate_unique=False, validate_constraints=False)
    if current is not None:
        PaidInCapital.objects.filter(pk=current.pk).update(is_current=False)
    report.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if current else AuditAction.CREATE,
        instance=report,
        area=project.area,
        before=snapshot(current) if current else None,
        after=snapshot(report),
    )
    return report


@dataclass(frozen=True)
class CapitalRow:
    """One already-checked report for ``capitals_record`` (import, demo)."""

    project_id: int
    area_id: int
    year: int
    month: int
    foreign_capital: Decimal
    out_of_city_capital: Decimal


@transaction.atomic
def capitals_record(
    *, acting_user: User | None, rows: Sequence[CapitalRow], note: str = ""
) -> RecordCounts:
    """Write many checked reports at once with the same versioning; one audit row per version.

    The caller has applied ``capital_report``'s checks (month, amounts, signed
    project, one row per project-month).
    """
    require(acting_user, Capability.WRITE)
    counts = RecordCounts()
    current = _current_rows(rows)
    now = timezone.now()
    for row in rows:
        old = current.get((row.project_id, row.year, row.month))
        if old is not None and _same(old, row.foreign_capital, row.out_of_city_capital):
            counts.unchanged += 1
            continue
        if old is not None:
            PaidInCapital.objects.filter(pk=old.pk).update(is_current=False)
            counts.corrected += 1
        else:
            counts.created += 1
        report = PaidInCapital.objects.create(
            area_id=row.area_id,
            project_id=row.project_id,
            year=row.year,
            month=row.month,
            foreign_capital=row.foreign_capital,
            out_of_city_capital=row.out_of_city_capital,
            version=old.version + 1 if old else 1,
            note=note,
            entered_by=acting_user,
            entered_at=now,
        )
        audit_record(
            acting_user=acting_user,
            action=AuditAction.UPDATE if old else AuditAction.CREATE,
            instance=report,
            before=snapshot(old) if old else None,
            after=snapshot(report),
        )
    return counts


def _current_rows(rows: Sequence[CapitalRow]) -> dict[tuple[int, int, int], PaidInCapital]:
    found: dict[tuple[int, int, int], PaidInCapital] = {}
    by_year: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        by_year[row.year].add(row.project_id)
    for year, project_ids in by_year.items():
        ids = sorted(project_ids)
        for start in range(0, len(ids), ROLLUP_CHUNK):
            for report in PaidInCapital.objects.select_for_update().filter(
                project_id__in=ids[start : start + ROLLUP_CHUNK], year=year, is_current=True
            ):
                found[(report.project_id, report.year, report.month)] = report
    return found
