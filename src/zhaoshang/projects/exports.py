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

from collections import defaultdict
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Case, Count, Expression, F, Model, QuerySet, TextField, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from zhaoshang.core.models import Area, Person, User
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
#: the registered enterprise, else the name as written). A chain column
#: (``PERSON_COLUMNS``) writes the Person's name, “name（post）” for a namesake.
RELATED_SOURCES: dict[str, tuple[str, ...]] = {
    "investor": ("investor__name", "investor_name"),
    "cluster": ("cluster__name",),
    "sub_bureau": ("sub_bureau__name",),
    "area": ("area__name",),
}
#: a choice column read from an annotation rather than a field of the same name
CHOICE_SOURCES: dict[str, str] = {"key_level": KEY_LEVEL_OF_YEAR}
#: ledger columns naming a Person of the responsibility chain
PERSON_COLUMNS = frozenset({"lead_cadre", "responsible_chief", "frontline_sub_chief"})


def namesakes() -> list[int]:
    """Persons with a post who share their name with another Person on the same line of
    areas (one's area above or equal to the other's): the ledger writes them as
    “name（post）”, which the importer matches (``importing.vocabulary.split_post``).

    One query, over the names used more than once (namesakes are rare).
    """
    shared = Person.objects.values("name").annotate(n=Count("pk")).filter(n__gt=1).values("name")
    by_name: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    rows = Person.objects.filter(name__in=shared).values_list("pk", "name", "post", "area__path")
    for pk, name, post, path in rows:
        by_name[name].append((pk, post, path))
    found = set()
    for people in by_name.values():
        for pk, post, path in people:
            if post and any(
                other != pk and (path.startswith(p) or p.startswith(path))
                for other, _post, p in people
            ):
                found.add(pk)
    return sorted(found)


def person_cell(key: str, written: list[int]) -> Expression:
    """A chain column's cell: the Person's name, with the post for a namesake (``written``)."""
    name = _blank_as_null(f"{key}__name")
    if not written:
        return name
    bracketed = Concat(
        F(f"{key}__name"), Value("（"), F(f"{key}__post"), Value("）"), output_field=TextField()
    )
    return Case(
        When(**{f"{key}_id__in": written}, then=bracketed), default=name, output_field=TextField()
    )


def _blank_as_null(field: str) -> NullIf:
    return NullIf(F(field), Value(""), output_field=TextField())


def column_expression(column: LedgerColumn, written: list[int] | None = None) -> Expression | F:
    """The SQL that yields one ledger cell exactly as written: label, name, value or NULL.

    ``written``: the Persons a chain column writes with their post (``namesakes``).
    """
    if column.key in PERSON_COLUMNS:
        return person_cell(column.key, written or [])
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
    written = namesakes()
    expressions = [column_expression(column, written) for column in LEDGER_COLUMNS]
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
