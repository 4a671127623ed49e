"""Excel exports of the dashboards: one panel's table, as shown, for the area and year.

The panel's rows were built by the scoped selectors for this user; the export is
recorded as an audit row in the same transaction.
"""

from __future__ import annotations

from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core.models import Area, User
from zhaoshang.core.services import export_record
from zhaoshang.core.xlsx import write_table

from .panels import Panel


@transaction.atomic
def export_panel(*, user: User, area: Area, year: int, panel: Panel, target: IO[bytes]) -> int:
    """Write ``panel``'s table to ``target``; returns the number of rows."""
    count = write_table(
        target,
        sheet=panel.title,
        headers=[column.label for column in panel.columns],
        rows=panel.rows,
    )
    export_record(
        acting_user=user,
        object_type="reports.dashboard",
        description=_("%(area)s, %(year)s: %(title)s")
        % {"area": area.name, "year": year, "title": panel.title},
        filters={"area": area.code, "year": year, "panel": str(panel.title)},
        rows=count,
    )
    return count
