"""Excel exports of project construction: the key-project list and the work-plan milestones.

Rows come from the same scoped selectors as the pages, so an export never
holds more than the user may read; each export is recorded as an audit row
(``core.services.export_record``). Written with ``core.xlsx.write_table``
(constant memory, formula-safe).
"""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.models import User
from zhaoshang.core.services import export_record
from zhaoshang.core.xlsx import write_table

from .choices import ListLevel, MilestoneStatus
from .models import Milestone
from .selectors import capital as capital_selectors
from .selectors import investment as investment_selectors
from .selectors import workplan as workplan_selectors

MILESTONE_HEADERS = (
    gettext_lazy("Project name"),
    gettext_lazy("Area of the project"),
    gettext_lazy("Milestone"),
    gettext_lazy("Due date"),
    gettext_lazy("Leader in charge"),
    gettext_lazy("Responsible unit"),
    gettext_lazy("Responsible person"),
    gettext_lazy("Status"),
    gettext_lazy("Done on"),
    gettext_lazy("Overdue"),
    gettext_lazy("Note"),
)


def export_keylist(*, user: User, filters: dict[str, Any], target: str | IO[bytes]) -> int:
    """One year's key-project lists with plan, YTD and completion; returns the row count."""
    selectors = investment_selectors
    entries = selectors.key_list(user, filters)
    headers = [
        _("Area"),
        _("Project number"),
        _("Project name"),
        _("Year"),
        _("List level"),
        _("Annual planned investment (10k yuan)"),
        _("Completed through month %(m)d (10k yuan)") % {"m": filters["through"]},
        _("Completion %"),
    ]
    rows = (
        [
            e.area.name,
            e.project.code,
            e.project.name,
            e.year,
            str(ListLevel(e.level).label),
            e.planned_investment,
            e.ytd,  # type: ignore[attr-defined]
            selectors.completion_pct(e.ytd, e.planned_investment),  # type: ignore[attr-defined]
        ]
        for e in entries.iterator(chunk_size=2000)
    )
    count = write_table(target, sheet=_("Key-project list"), headers=headers, rows=rows)
    export_record(
        acting_user=user,
        object_type="construction.keyprojectentry",
        description=_("Key-project list %(year)s") % {"year": filters["year"]},
        filters={k: str(v) for k, v in filters.items()},
        rows=count,
    )
    return count


def export_milestones(*, user: User, filters: dict[str, Any], target: str | IO[bytes]) -> int:
    """The filtered milestones; returns the row count."""
    rows = workplan_selectors.milestone_list(user, filters)
    sheet = _("Work-plan milestones")
    count = write_table(
        target,
        sheet=sheet,
        headers=[str(h) for h in MILESTONE_HEADERS],
        rows=(_milestone_row(m) for m in rows.iterator(chunk_size=2000)),
    )
    export_record(
        acting_user=user,
        object_type="construction.milestone",
        description=sheet,
        filters={k: getattr(v, "pk", v) for k, v in filters.items()},
        rows=count,
    )
    return count


def _milestone_row(m: Milestone) -> tuple[Any, ...]:
    return (
        m.project.name,
        m.area.name,
        m.title,
        m.due_date,
        str(m.leader) if m.leader else None,
        m.unit.name if m.unit else None,
        str(m.responsible_person) if m.responsible_person else None,
        str(MilestoneStatus(m.status).label),
        m.done_date,
        _("Yes") if getattr(m, "is_overdue", False) else _("No"),
        m.note or None,
    )


def export_capital(*, user: User, filters: dict[str, Any], target: str | IO[bytes]) -> int:
    """The filtered 到位资金 list (current versions), as the page shows it; audited."""
    reports = capital_selectors.capital_list(user, filters)
    headers = [
        _("Area"),
        _("Project number"),
        _("Project name"),
        _("Year"),
        _("Month"),
        _("Foreign capital paid in (10k USD)"),
        _("Out-of-city capital paid in (10k yuan)"),
        _("Version"),
        _("Note"),
    ]
    rows = (
        [
            r.area.name,
            r.project.code,
            r.project.name,
            r.year,
            r.month,
            r.foreign_capital,
            r.out_of_city_capital,
            r.version,
            r.note,
        ]
        for r in reports.iterator(chunk_size=2000)
    )
    sheet = _("Paid-in capital")
    count = write_table(target, sheet=sheet, headers=headers, rows=rows)
    export_record(
        acting_user=user,
        object_type="construction.paidincapital",
        description=f"{sheet} {filters.get('year')}",
        filters={k: str(v) for k, v in filters.items()},
        rows=count,
    )
    return count
