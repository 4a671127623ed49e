"""The audit log and the 人员库 as Excel; each export is recorded as an audit row.

Rows come from the same scoped selector as the page, so an export never holds
more than the user may read.
"""

from __future__ import annotations

import json
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import User
from .selectors import audit_events_visible_to, person_list
from .services import export_record
from .xlsx import write_table

AUDIT_HEADERS = (
    gettext_lazy("Time"),
    gettext_lazy("User"),
    gettext_lazy("IP address"),
    gettext_lazy("Action"),
    gettext_lazy("Object type"),
    gettext_lazy("Object ID"),
    gettext_lazy("Object"),
    gettext_lazy("Result"),
    gettext_lazy("Area"),
    gettext_lazy("Before"),
    gettext_lazy("After"),
)


def export_audit(*, user: User, filters: dict[str, Any], target: str | IO[bytes]) -> int:
    """Write the filtered audit log to ``target``; returns the number of rows."""
    events = audit_events_visible_to(user, filters=filters)
    count = write_table(
        target,
        sheet=_("Audit log"),
        headers=[str(h) for h in AUDIT_HEADERS],
        rows=(
            [
                e.at,
                e.username,
                e.ip,
                e.get_action_display(),
                e.object_type,
                e.object_id,
                e.object_repr,
                e.get_result_display(),
                e.area.name if e.area else "",
                _json(e.before),
                _json(e.after),
            ]
            for e in events.iterator(chunk_size=2000)
        ),
    )
    export_record(
        acting_user=user,
        object_type="core.auditevent",
        description=_("Audit log"),
        filters={k: str(v) for k, v in filters.items() if v},
        rows=count,
    )
    return count


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


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
