"""Excel export of the approvals board: the same scoped, filtered rows as the page, audited."""

from __future__ import annotations

from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.models import User
from zhaoshang.core.services import export_record
from zhaoshang.core.xlsx import write_table

from .choices import ItemStatus, Light, Mode, Phase
from .selectors import item_list, late_days

HEADERS = (
    gettext_lazy("Project name"),
    gettext_lazy("Area"),
    gettext_lazy("Phase"),
    gettext_lazy("Approval item"),
    gettext_lazy("Department"),
    gettext_lazy("Agent"),
    gettext_lazy("Mode"),
    gettext_lazy("Status"),
    gettext_lazy("Submitted on"),
    gettext_lazy("Accepted on"),
    gettext_lazy("Promised limit (working days)"),
    gettext_lazy("Due date"),
    gettext_lazy("Provisional"),
    gettext_lazy("Concluded on"),
    gettext_lazy("Light"),
    gettext_lazy("Working days late"),
    gettext_lazy("Document number"),
)


def export_items(*, user: User, filters: dict[str, Any], target: str | IO[bytes]) -> int:
    """The filtered board as a workbook; returns the row count."""
    rows = item_list(user, filters, today=timezone.localdate())
    yes = _("Yes")
    data = (
        [
            i.project.name,
            i.area.name,
            str(Phase(i.item_type.phase).label),
            i.item_type.name,
            i.item_type.department.name,
            i.agent.name if i.agent else "",
            str(Mode(i.mode).label),
            str(ItemStatus(i.status).label),
            i.submitted_on,
            i.accepted_on,
            i.promised_limit,
            i.due_date,
            yes if i.due_provisional else "",
            i.done_on,
            str(Light(i.live_light).label),  # type: ignore[attr-defined]
            late_days(i),
            i.document_number,
        ]
        for i in rows.iterator(chunk_size=2000)
    )
    count = write_table(
        target, sheet=_("Approval items"), headers=[str(h) for h in HEADERS], rows=data
    )
    export_record(
        acting_user=user,
        object_type="approvals.approvalitem",
        description=_("Approval items"),
        filters={k: str(getattr(v, "pk", v)) for k, v in filters.items()},
        rows=count,
    )
    return count
