"""The audit log and the 人员库 as Excel; each export is recorded as an audit row.

Rows come from the same scoped selector as the page, so an export never holds
more than the user may read.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit_display import EventRow, describe
from .models import AuditEvent, User
from .selectors import audit_events_visible_to, person_list
from .services import export_record
from .xlsx import write_table

AUDIT_HEADERS = (
    gettext_lazy("Time"),
    gettext_lazy("Acting person"),
    gettext_lazy("Action"),
    gettext_lazy("Result"),
    gettext_lazy("Object type"),
    gettext_lazy("Audited object"),
    gettext_lazy("Changes"),
    gettext_lazy("IP"),
)
#: events described at once: the export's queries grow with chunks, not rows
AUDIT_CHUNK = 500


def export_audit(*, user: User, filters: dict[str, Any], target: str | IO[bytes]) -> int:
    """Write the filtered audit log to ``target`` as the page reads it; returns the row count."""
    events = audit_events_visible_to(user, filters=filters)
    count = write_table(
        target,
        sheet=_("Audit log"),
        headers=[str(h) for h in AUDIT_HEADERS],
        rows=(_audit_cells(row) for row in _described(events, user)),
    )
    export_record(
        acting_user=user,
        object_type="core.auditevent",
        description=_("Audit log"),
        filters={k: str(v) for k, v in filters.items() if v},
        rows=count,
    )
    return count


def _described(events: QuerySet[AuditEvent], user: User) -> Iterator[EventRow]:
    """Stream the rows, naming related objects and links a chunk at a time."""
    stream = events.iterator(chunk_size=2000)
    while chunk := list(islice(stream, AUDIT_CHUNK)):
        yield from describe(chunk, user)


def _audit_cells(row: EventRow) -> list[Any]:
    e = row.event
    person = e.user.full_name if e.user and e.user.full_name else ""
    return [
        e.at,
        f"{person}（{e.username}）" if person else e.username,
        e.get_action_display(),
        e.get_result_display(),
        row.type_label,
        row.object_label,
        row.changes_text,
        e.ip or "",
    ]


PERSON_HEADERS = (
    gettext_lazy("Full name"),
    gettext_lazy("Post"),
    gettext_lazy("Cadre rank"),
    gettext_lazy("Unit"),
    gettext_lazy("Phone"),
    gettext_lazy("Area"),
    gettext_lazy("Login account"),
    gettext_lazy("Active"),
)


def export_persons(*, user: User, filters: dict[str, Any], target: str | IO[bytes]) -> int:
    """Write the 人员库 rows the list shows for ``filters`` to ``target``; returns the count."""
    persons = person_list(user, filters)
    count = write_table(
        target,
        sheet=_("Person directory"),
        headers=[str(h) for h in PERSON_HEADERS],
        rows=(
            [
                p.name,
                p.post,
                p.get_rank_display(),
                p.unit.name if p.unit else "",
                p.phone,
                p.area.name,
                p.user.username if p.user else "",
                _("Yes") if p.active else _("No"),
            ]
            for p in persons.iterator(chunk_size=2000)
        ),
    )
    export_record(
        acting_user=user,
        object_type="core.person",
        description=_("Person directory"),
        filters={k: str(getattr(v, "code", v)) for k, v in filters.items() if v},
        rows=count,
    )
    return count
