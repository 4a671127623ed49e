"""Writes of key-project lists (重点项目清单) and monthly investment reports (月度完成投资).

Every function is keyword-only, takes ``acting_user`` (None = the system),
validates before writing, audits in the same transaction and rebuilds the
rollups of the (area, year) it touched, so dashboards never read stale sums.
Year-to-date totals and completion % are never stored: they are derived by
``construction.selectors.investment`` from the current report rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction, AuditResult
from zhaoshang.core.context import current_ip
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.core.policy import Capability, require, require_area
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot
from zhaoshang.projects.models import Project

from ..choices import LEVEL_RANK, ListLevel
from ..models import InvestmentRollup, KeyPlanRollup, KeyProjectEntry, MonthlyInvestment

#: how many area ids one rollup statement takes (well under SQLite's parameter limit)
ROLLUP_CHUNK = 500
MAX_AMOUNT = Decimal("999999999999.9999")  # 16 digits, 4 decimals: the column's limit


# --- key-project lists ---------------------------------------------------------------


def _level_label(level: str) -> str:
    return str(ListLevel(level).label) if level in ListLevel.values else level


def _amount_errors(field: str, value: Decimal | None, *, what: str) -> dict[str, str]:
    if value is None:
        return {field: _("Enter the %(what)s.") % {"what": what}}
    if value < 0:
        return {field: _("The %(what)s cannot be negative.") % {"what": what}}
    if value > MAX_AMOUNT:
        return {field: _("The %(what)s is too large.") % {"what": what}}
    return {}


@transaction.atomic
def key_entry_add(
    *,
    acting_user: User | None,
    project: Project,
    year: int,
    level: str,
    planned_investment: Decimal,
    note: str = "",
) -> KeyProjectEntry:
    """Put a project in one year's list of one level with its annual plan (万元).

    Whether the caller may see and change the project is the view's job; here
    only the data is checked. A project may sit in several levels' lists.
    """
    require_area(acting_user, Capability.WRITE, project.area)
    errors = _amount_errors(
        "planned_investment", planned_investment, what=_("annual planned investment")
    )
    if level not in ListLevel.values:
        errors["level"] = _("Choose the district, city or provincial list.")
    elif KeyProjectEntry.objects.filter(project=project, year=year, level=level).exists():
        errors["level"] = _("This project is already in the %(level)s list of %(year)s.") % {
            "level": _level_label(level),
            "year": year,
        }
    if errors:
        raise ValidationError(errors)
    entry = KeyProjectEntry(
        area_id=project.area_id,
        project=project,
        year=year,
        level=level,
        planned_investment=planned_investment,
        note=note,
        created_by=acting_user,
    )
    entry.full_clean(validate_unique=False)
    entry.save()
    audit_record(
        acting_user=acting_user, action=AuditAction.CREATE, instance=entry, after=snapshot(entry)
    )
    rollups_rebuild(area_ids=[entry.area_id], year=year)
    return entry


@transaction.atomic
def key_entry_update(
    *,
    acting_user: User | None,
    entry: KeyProjectEntry,
    planned_investment: Decimal,
    note: str | None = None,
) -> KeyProjectEntry:
    """Change an entry's annual plan (and note); the year, level and project stay."""
    require_area(acting_user, Capability.WRITE, entry.area)
    errors = _amount_errors(
        "planned_investment", planned_investment, what=_("annual planned investment")
    )
    if errors:
        raise ValidationError(errors)
    before = snapshot(entry)
    entry.planned_investment = planned_investment
    if note is not None:
        entry.note = note
    entry.full_clean(validate_unique=False)
    entry.save(update_fields=["planned_investment", "note"])
    after = snapshot(entry)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=entry,
        before={k: v for k, v in before.items() if after.get(k) != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
    )
    rollups_rebuild(area_ids=[entry.area_id], year=entry.year)
    return entry


@transaction.atomic
def key_entry_remove(*, acting_user: User | None, entry: KeyProjectEntry) -> None:
    """Take a project off one list.

    Refused when it is the project's only list that year and monthly reports
    exist: the reports would then belong to no list and silently drop out of
    every total.
    """
    require_area(acting_user, Capability.WRITE, entry.area)
    others = (
        KeyProjectEntry.objects.filter(project_id=entry.project_id, year=entry.year)
        .exclude(pk=entry.pk)
        .exists()
    )
    reported = MonthlyInvestment.objects.filter(
        project_id=entry.project_id, year=entry.year
    ).exists()
    if reported and not others:
        raise ValidationError(
            {
                "level": _(
                    "This is the project's only key list of %(year)s and it already has monthly "
                    "investment reports; they would drop out of every total. Add the project to "
                    "another list first, or keep it."
                )
                % {"year": entry.year}
            }
        )
    before = snapshot(entry)
    area_id, year = entry.area_id, entry.year
    audit_record(acting_user=acting_user, action=AuditAction.DELETE, instance=entry, before=before)
    entry.delete()
    rollups_rebuild(area_ids=[area_id], year=year)


# --- monthly investment reports ------------------------------------------------------


def month_errors(year: int, month: int, *, today: dt.date | None = None) -> dict[str, str]:
    """A report is for a month that has begun: never a month in the future."""
    today = today or timezone.localdate()
    if not 1 <= month <= 12:
        return {"month": _("The month must be between 1 and 12.")}
    if not 2000 <= year <= 2100:
        return {"year": _("The year must be between 2000 and 2100.")}
    if (year, month) > (today.year, today.month):
        return {
            "month": _("%(year)s-%(month)02d is in the future; report a month that has begun.")
            % {"year": year, "month": month}
        }
    return {}


def not_listed_message(year: int) -> str:
    return _("This project is not in any key-project list of %(year)s; add it to a list first.") % {
        "year": year
    }


def is_unchanged(report: MonthlyInvestment) -> bool:
    """True when ``investment_report`` found the same amount already current (no new version)."""
    return bool(getattr(report, "_unchanged", False))


@transaction.atomic
def investment_report(
    *,
    acting_user: User | None,
    project: Project,
    year: int,
    month: int,
    amount: Decimal,
    note: str = "",
) -> MonthlyInvestment:
    """Report (or correct) one project's investment completed in one month (万元).

    A correction never overwrites: the current row is kept as history
    (``is_current`` cleared) and a new row with ``version + 1`` becomes current,
    both in this transaction. The same amount again writes nothing.
    """
    require_area(acting_user, Capability.WRITE, project.area)
    errors = month_errors(year, month)
    errors.update(_amount_errors("amount", amount, what=_("amount")))
    if not errors and not KeyProjectEntry.objects.filter(project=project, year=year).exists():
        errors["project"] = not_listed_message(year)
    if errors:
        raise ValidationError(errors)
    current = (
        MonthlyInvestment.objects.select_for_update()
        .filter(project=project, year=year, month=month, is_current=True)
        .first()
    )
    if current is not None and current.amount == amount:
        current._unchanged = True  # type: ignore[attr-defined]
        return current
    report = MonthlyInvestment(
        area_id=project.area_id,
        project=project,
        year=year,
        month=month,
        amount=amount,
        version=current.version + 1 if current else 1,
        note=note,
        entered_by=acting_user,
        entered_at=timezone.now(),
    )
    report.full_clean(validate_unique=False, validate_constraints=False)
    if current is not None:
        MonthlyInvestment.objects.filter(pk=current.pk).update(is_current=False)
    report.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if current else AuditAction.CREATE,
        instance=report,
        area=project.area,
        before=snapshot(current) if current else None,
        after=snapshot(report),
    )
    rollups_rebuild(area_ids=[project.area_id], year=year)
    return report


@dataclass(frozen=True)
class ReportRow:
    """One already-checked report for ``investments_record``: project, month, amount."""

    project_id: int
    area_id: int
    year: int
    month: int
    amount: Decimal


@dataclass
class RecordCounts:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0


@transaction.atomic
def investments_record(
    *,
    acting_user: User | None,
    rows: Sequence[ReportRow],
    note: str = "",
    object_repr: str = "",
) -> RecordCounts:
    """Write many checked reports at once (import, demo): the same versioning, in bulk.

    The caller has applied the checks of ``investment_report`` (month, amount,
    listed project). Each new version gets its own audit row; the rollups are
    rebuilt once per year touched.
    """
    require(acting_user, Capability.WRITE)
    counts = RecordCounts()
    if not rows:
        return counts
    current = _current_rows(rows)
    now = timezone.now()
    new: list[MonthlyInvestment] = []
    retired: list[int] = []
    before: dict[tuple[int, int, int], MonthlyInvestment] = {}
    for row in rows:
        key = (row.project_id, row.year, row.month)
        old = current.get(key)
        if old is not None and old.amount == row.amount:
            counts.unchanged += 1
            continue
        if old is not None:
            retired.append(old.pk)
            before[key] = old
            counts.corrected += 1
        else:
            counts.created += 1
        new.append(
            MonthlyInvestment(
                area_id=row.area_id,
                project_id=row.project_id,
                year=row.year,
                month=row.month,
                amount=row.amount,
                version=old.version + 1 if old else 1,
                note=note,
                entered_by=acting_user,
                entered_at=now,
            )
        )
    for start in range(0, len(retired), ROLLUP_CHUNK):
        MonthlyInvestment.objects.filter(pk__in=retired[start : start + ROLLUP_CHUNK]).update(
            is_current=False
        )
    MonthlyInvestment.objects.bulk_create(new, batch_size=1000)
    _bulk_audit(acting_user, new, before, object_repr)
    years: dict[int, set[int]] = defaultdict(set)
    for report in new:
        years[report.year].add(report.area_id)
    for year, area_ids in years.items():
        rollups_rebuild(area_ids=area_ids, year=year)
    return counts


def _current_rows(rows: Sequence[ReportRow]) -> dict[tuple[int, int, int], MonthlyInvestment]:
    found: dict[tuple[int, int, int], MonthlyInvestment] = {}
    by_year: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        by_year[row.year].add(row.project_id)
    for year, project_ids in by_year.items():
        ids = sorted(project_ids)
        for start in range(0, len(ids), ROLLUP_CHUNK):
            for report in MonthlyInvestment.objects.select_for_update().filter(
                project_id__in=ids[start : start + ROLLUP_CHUNK], year=year, is_current=True
            ):
                found[(report.project_id, report.year, report.month)] = report
    return found


def _bulk_audit(
    acting_user: User | None,
    new: list[MonthlyInvestment],
    before: dict[tuple[int, int, int], MonthlyInvestment],
    object_repr: str,
) -> None:
    """One audit row per new version, as ``audit_record`` would write it, in one INSERT."""
    now = timezone.now()
    ip = current_ip.get()
    username = acting_user.get_username() if acting_user else "system"
    events = []
    for report in new:
        old = before.get((report.project_id, report.year, report.month))
        events.append(
            AuditEvent(
                at=now,
                user=acting_user,
                username=username,
                area_id=report.area_id,
                ip=ip,
                action=AuditAction.UPDATE if old else AuditAction.CREATE,
                object_type=MonthlyInvestment._meta.label_lower,
                object_id=str(report.pk or ""),
                object_repr=(object_repr or str(report))[:200],
                before=snapshot(old) if old else None,
                after=snapshot(report),
                result=AuditResult.SUCCESS,
            )
        )
    AuditEvent.objects.bulk_create(events, batch_size=1000)


# --- rollups -------------------------------------------------------------------------


def _rank_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{level}' THEN {rank}" for level, rank in LEVEL_RANK.items())
    return f"(CASE {column} {cases} ELSE 0 END)"


def _rollup_sql() -> tuple[str, str, str, str]:
    """The four statements; only table names and fixed level words are interpolated."""
    entry = KeyProjectEntry._meta.db_table
    report = MonthlyInvestment._meta.db_table
    plan = KeyPlanRollup._meta.db_table
    invest = InvestmentRollup._meta.db_table
    # the entry ``e`` is its project's top entry that year: no entry of a higher rank exists
    top = (
        f"NOT EXISTS (SELECT 1 FROM {entry} h WHERE h.project_id = e.project_id "  # noqa: S608
        f"AND h.year = e.year AND {_rank_sql('h.level')} > {_rank_sql('e.level')})"
    )
    plan_insert = (
        f"INSERT INTO {plan} (area_id, year, top_level, projects, planned) "  # noqa: S608
        f"SELECT e.area_id, e.year, e.level, COUNT(*), SUM(e.planned_investment) "
        f"FROM {entry} e WHERE e.year = %s AND e.area_id IN ({{ids}}) AND {top} "
        f"GROUP BY e.area_id, e.year, e.level"
    )
    invest_insert = (
        f"INSERT INTO {invest} (area_id, year, month, top_level, amount, reports) "  # noqa: S608
        f"SELECT m.area_id, m.year, m.month, e.level, SUM(m.amount), COUNT(*) "
        f"FROM {report} m JOIN {entry} e ON e.project_id = m.project_id AND e.year = m.year "
        f"WHERE m.year = %s AND m.area_id IN ({{ids}}) AND m.is_current = %s AND {top} "
        f"GROUP BY m.area_id, m.year, m.month, e.level"
    )
    return (
        f"DELETE FROM {plan} WHERE year = %s AND area_id IN ({{ids}})",  # noqa: S608
        f"DELETE FROM {invest} WHERE year = %s AND area_id IN ({{ids}})",  # noqa: S608
        plan_insert,
        invest_insert,
    )


@transaction.atomic
def rollups_rebuild(*, area_ids: Iterable[int], year: int) -> None:
    """Recompute ``KeyPlanRollup`` and ``InvestmentRollup`` of these (area, year) from base rows.

    Four set-based statements per chunk of areas (two DELETEs, two INSERT …
    SELECT … GROUP BY), so it costs the same few round trips for one project
    or for a province-scale bulk load (``bench/synth.py`` calls it after
    inserting). A project counts once per year, under its highest list
    (``LEVEL_RANK``) with that entry's plan; only current report versions of
    projects in that year's lists are summed. Plain SQL that SQLite and
    PostgreSQL both run.
    """
    ids = sorted({int(pk) for pk in area_ids})
    delete_plan, delete_invest, insert_plan, insert_invest = _rollup_sql()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), ROLLUP_CHUNK):
            chunk = ids[start : start + ROLLUP_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            params: list[Any] = [year, *chunk]
            cursor.execute(delete_plan.format(ids=marks), params)
            cursor.execute(delete_invest.format(ids=marks), params)
            cursor.execute(insert_plan.format(ids=marks), params)
            cursor.execute(insert_invest.format(ids=marks), [*params, True])
