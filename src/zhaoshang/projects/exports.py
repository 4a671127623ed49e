"""Export of the project ledger (招商项目台账) to Excel.

The file is the same document bureaus keep by hand: the columns of
``ledger.LEDGER_COLUMNS`` with their Chinese headers, one row per project the
exporting user may see. Choice fields are written as the fixed Chinese words
of ``CHOICE_LABELS`` rather than through gettext, because the ledger is a file
format: an export must import back (and match yesterday's exports) whatever
language the exporting user has chosen and however the UI translation changes.

Rows are read with one ``values_list`` query that already yields the cells
(the four related names joined, labels and blanks shaped in SQL) and are
streamed in chunks: 100k projects need no model instances, no per-row queries
and no Python per row beyond Django's decimal/date converters, and memory
stays flat next to xlsxwriter's constant-memory mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Case, Expression, F, Model, QuerySet, TextField, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from zhaoshang.core.models import Area, User
from zhaoshang.core.services import export_record
from zhaoshang.core.xlsx import write_table

from .keylevels import KEY_LEVEL_OF_YEAR, year_or_current
from .ledger import CHOICE_WORDS, LEDGER_COLUMNS, LedgerColumn
from .models import Project
from .selectors import (
    CHAIN_PARTS,
    incomplete_chains,
    incomplete_projects,
    missing_labels,
    project_list,
)

LEDGER_SHEET = "招商项目台账"
OBJECT_TYPE = "projects.project"
CHUNK_SIZE = 2000

#: The ledger's word for each choice value (the first of ``ledger.CHOICE_WORDS``);
#: a blank value is an empty cell.
CHOICE_LABELS: dict[str, dict[str, str]] = {
    key: {value: words[0] for value, words in table.items() if value}
    for key, table in CHOICE_WORDS.items()
}

#: Where a related column's text comes from, first non-blank wins (``investor``:
#: the registered enterprise, else the name as written; ``lead_cadre``: the
#: person's full name, else the username, as ``User.__str__`` does).
RELATED_SOURCES: dict[str, tuple[str, ...]] = {
    "investor": ("investor__name", "investor_name"),
    "cluster": ("cluster__name",),
    "sub_bureau": ("sub_bureau__name",),
    "lead_cadre": ("lead_cadre__full_name", "lead_cadre__username"),
    "area": ("area__name",),
}
#: a choice column read from an annotation rather than a field of the same name
CHOICE_SOURCES: dict[str, str] = {"key_level": KEY_LEVEL_OF_YEAR}


def _blank_as_null(field: str) -> NullIf:
    return NullIf(F(field), Value(""), output_field=TextField())


def column_expression(column: LedgerColumn) -> Expression | F:
    """The SQL that yields one ledger cell exactly as written: label, name, value or NULL."""
    if column.kind == "fk":
        sources = [_blank_as_null(field) for field in RELATED_SOURCES[column.key]]
        return Coalesce(*sources, output_field=TextField()) if len(sources) > 1 else sources[0]
    if column.kind == "choice":
        source = CHOICE_SOURCES.get(column.key, column.key)
        return Case(
            *(
                When(**{source: value}, then=Value(label))
                for value, label in CHOICE_LABELS[column.key].items()
            ),
            default=_blank_as_null(source),
            output_field=TextField(),
        )
    if column.kind == "text":
        return _blank_as_null(column.key)
    return F(column.key)  # decimal, date: Django's converters give Decimal / date


def ledger_rows(projects: QuerySet[Project]) -> Iterator[tuple[Any, ...]]:
    """One tuple per project in ``LEDGER_COLUMNS`` order, with display values.

    Choice fields as their Chinese words, related rows as names, decimals as
    ``Decimal``, dates as ``date``, blanks as ``None``. ``projects`` keeps its
    filters and ordering; it should already be restricted to the user.

    The database does the shaping (joins, CASE for labels, NULLIF for blanks),
    so each row arrives ready to write; the only per-cell Python left is
    Django's converters for decimals and dates (see bench/ledger_export.py).
    """
    expressions = [column_expression(column) for column in LEDGER_COLUMNS]
    yield from projects.values_list(*expressions).iterator(chunk_size=CHUNK_SIZE)


def export_projects(
    *,
    user: User,
    filters: dict[str, Any] | None,
    target: str | IO[bytes],
    within: Area | None = None,
) -> int:
    """Write the ledger of the projects ``user`` may see (after ``filters``) to ``target``.

    ``within`` narrows it to one area and everything below it (the CLI's
    ``--area``); an area outside the user's scope just yields no rows (the CLI
    refuses it up front). 重点项目级别 is each project's level in ``filters["year"]``
    (default this year). The export is audited with the filters and the row
    count; returns the row count.
    """
    filters = dict(filters or {})
    filters["year"] = year_or_current(filters.get("year"))
    projects = project_list(user, filters)
    if within is not None:
        projects = projects.filter(area__path__startswith=within.path)
    rows = write_table(
        target,
        sheet=LEDGER_SHEET,
        headers=[column.header for column in LEDGER_COLUMNS],
        rows=ledger_rows(projects),
    )
    recorded = _audit_filters(filters)
    if within is not None:
        recorded["within"] = within.code
    export_record(
        acting_user=user,
        object_type=OBJECT_TYPE,
        description=f"{LEDGER_SHEET}（{within.name}）" if within is not None else LEDGER_SHEET,
        filters=recorded,
        rows=rows,
    )
    return rows


INCOMPLETE_HEADERS = (
    gettext_lazy("Project number"),
    gettext_lazy("Project name"),
    gettext_lazy("Area of the project"),
    pgettext_lazy("ledger column", "Stage"),
    gettext_lazy("Missing data"),
)


def export_incomplete(
    *, user: User, filters: dict[str, Any] | None, target: str | IO[bytes]
) -> int:
    """The 资料待补 list the user sees (after ``filters``) as Excel, audited; the row count.

    A report, not an import format: headers and the sheet go through gettext;
    stage names are the ledger's words, what is missing the gates' labels.
    """
    filters = dict(filters or {})
    between = pgettext("between list items", ", ")
    stage_words = CHOICE_LABELS["stage"]
    rows = (
        (
            project.code or None,
            project.name,
            project.area.name,
            stage_words.get(project.stage, project.stage),
            between.join(missing_labels(project)),
        )
        for project in incomplete_projects(user, filters).iterator(chunk_size=CHUNK_SIZE)
    )
    sheet = _("Projects with data to complete")
    count = write_table(
        target,
        sheet=sheet,
        headers=[str(h) for h in INCOMPLETE_HEADERS],
        rows=rows,
    )
    export_record(
        acting_user=user,
        object_type=OBJECT_TYPE,
        description=sheet,
        filters=_audit_filters(filters),
        rows=count,
    )
    return count


CHAIN_HEADERS = (
    gettext_lazy("Project number"),
    gettext_lazy("Project name"),
    gettext_lazy("Area of the project"),
    gettext_lazy("Key-project level"),
    pgettext_lazy("ledger column", "Stage"),
    gettext_lazy("Missing from the chain"),
)
CHAIN_PART_LABELS = {
    "lead_cadre": gettext_lazy("Lead cadre"),
    "responsible_chief": gettext_lazy("Responsible chief"),
    "frontline_sub_chief": gettext_lazy("Frontline sub-chief"),
    "trackers": gettext_lazy("Two trackers"),
    "cooperating_units": gettext_lazy("Cooperating units"),
}


def export_incomplete_chains(*, user: User, year: int, target: str | IO[bytes]) -> int:
    """The incomplete-chain report of ``year`` (its key projects) as Excel, audited; rows."""
    between = pgettext("between list items", ", ")
    stage_words = CHOICE_LABELS["stage"]
    rows = [
        (
            project.code or None,
            project.name,
            project.area.name,
            project.key_level_display,
            stage_words.get(project.stage, project.stage),
            between.join(str(CHAIN_PART_LABELS[gap]) for gap in gaps if gap in CHAIN_PARTS),
        )
        for project, gaps in incomplete_chains(user, year)
    ]
    sheet = _("Incomplete chains")  # a sheet name has at most 31 characters
    count = write_table(target, sheet=sheet, headers=[str(h) for h in CHAIN_HEADERS], rows=rows)
    export_record(
        acting_user=user,
        object_type=OBJECT_TYPE,
        description=f"{sheet} {year}",
        filters={"year": year},
        rows=count,
    )
    return count


def _audit_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters that were set, JSON-safe (a model as its key) for the audit row."""
    safe: dict[str, Any] = {}
    for key, value in filters.items():
        if value is None or value is False or value == "":
            continue
        if isinstance(value, Model):
            safe[key] = value.pk
        elif isinstance(value, bool | int | float | str):
            safe[key] = value
        else:
            safe[key] = str(value)
    return safe
