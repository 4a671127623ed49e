"""Import of the project ledger (招商项目台账) from Excel, all or nothing.

The file is read with the shared machinery of ``zhaoshang.imports`` (header
finding, unit suffixes, section headings, totals and notes rows, cell
coercion); this module knows what the columns mean for a ``Project``:

* header synonyms (``COLUMNS``) include every header of ``ledger.LEDGER_COLUMNS``,
  so an exported ledger imports back unchanged;
* stage words (在谈, 已签约, 在建, 已投产 …) and the Chinese names of every
  choice; a section heading naming a stage (“一、签约项目”) is the stage of the
  rows under it that leave 项目进展 blank;
* a row is matched to an existing project of the area by 项目编号 when it has
  one, else by project name; a matched project is updated only where a value
  differs (version bump, one audit event listing what changed), a new one is
  created with its first stage event and a create audit event;
* the rules are those of ``projects.services``: field validators of the
  model, the project machine's gates for the stage (``projects.lifecycle``),
  ``transition_error`` for a stage move of an existing project, ``chain_errors``
  for the responsibility chain. A gate's date rules (order, not in the future)
  are errors; a gate's *missing data* (签约 and later without 签约日期/签约金额,
  开工 and later without 开工日期) is not: the row is imported and flagged
  资料待补 (listed on /projects/data-quality/ until the data is filled). When
  the file has no 签约金额 column, a signed project's contracted amount
  defaults to its total investment.

Rows are read and checked first, outside any transaction (so the job's
progress can be shown); then, if nothing is wrong, everything is written in
one transaction — new projects, their stage events and their audit events as
raw multi-row INSERTs (SQLite) or COPY (PostgreSQL) of values converted once
per column (``creating``, ``raw``), changed projects through the ORM with
their own audit events — and the area's project count is re-checked
through the user's scope before committing.

Speed (100,000 rows × 22 columns, ``bench/ledger_import.py``): cells are
coerced a column at a time with fast paths for what calamine hands over
(floats, datetimes, plain text), the model validators run only on rows a
cheap screen is unsure of (``checks``), and the stage gates are asked once
per distinct combination of what they read. The bench also stores the same
rows again with the plain driver (parse + store is the floor of any import
that keeps these rows): the import takes about 1.4× that floor on SQLite
and on PostgreSQL (where ``raw.CopyStream`` overlaps the server's work with
building the next rows).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoshang.core.models import Area, Person, User
from zhaoshang.core.policy import import_refusal
from zhaoshang.imports.choices import JobPhase
from zhaoshang.imports.kinds import ImportOutcome, Progress, Template
from zhaoshang.imports.safety import ImportFileError

from ..choices import Stage
from ..ledger import LEDGER_COLUMNS
from .planning import Planner
from .rows import LedgerReader, Row
from .vocabulary import COLUMNS, SPEC, STAGE_WORDS, SYNONYMS, Lookups, stage_map
from .writing import Rollback, Writer

__all__ = [
    "COLUMNS",
    "SPEC",
    "Lookups",
    "import_ledger",
    "stage_map",
    "template",
]


# --- the importer ------------------------------------------------------------------------


def import_ledger(
    *,
    path: Path,
    area: Area,
    acting_user: User | None,
    dry_run: bool,
    progress: Progress,
    file_name: str = "",
    estimate: int = 0,
) -> ImportOutcome:
    """Import a project ledger into ``area``; nothing is written unless every row is good."""
    outcome = ImportOutcome()
    refusal = import_refusal(acting_user, area)
    if refusal:
        outcome.errors.file_error(refusal)
        return outcome
    started = timezone.now()
    try:
        reader = LedgerReader(area, outcome, progress)
        rows = reader.read(Path(path), estimate)
    except ImportFileError as exc:
        outcome.errors.file_error(str(exc))
        return outcome
    planner = Planner(reader, acting_user)
    matched: list[Row] = []
    for row in rows:
        if row.project_id is None:
            planner.new(row)
        else:
            matched.append(row)
    del rows
    planner.matched(matched)
    created = list(reader.lookups.created.values())
    persons_note(outcome, created, dry_run=dry_run or bool(outcome.errors))
    plan = planner.plan
    if plan.defaulted_amounts:
        outcome.notes.append(
            _(
                "The file has no contracted-amount column: %(n)d signed project(s) take their "
                "total investment as the contracted amount."
            )
            % {"n": plan.defaulted_amounts}
        )
    if outcome.errors:
        return outcome
    flag_notes(outcome, plan.flagged)
    outcome.created, outcome.updated, outcome.unchanged = (
        len(plan.new),
        len(plan.changed),
        plan.unchanged,
    )
    writer = Writer(planner, acting_user, file_name or Path(path).name)
    # Shown while the transaction runs: its own writes are invisible until it commits.
    progress(processed=outcome.total_rows, total=outcome.total_rows, phase=JobPhase.WRITING)
    try:
        with transaction.atomic():
            writer.write(started)
            if dry_run:
                raise Rollback
    except Rollback:
        if outcome.errors:
            outcome.created = outcome.updated = outcome.unchanged = 0
    return outcome


#: at most this many new people are named in the note (the count names all)
PERSONS_LISTED = 50


def persons_note(outcome: ImportOutcome, persons: list[Person], *, dry_run: bool) -> None:
    """Name the people the file brings to the 人员库, before anything is written."""
    if not persons:
        return
    outcome.new_persons = [str(person) for person in persons]
    names = "、".join(outcome.new_persons[:PERSONS_LISTED])
    if len(persons) > PERSONS_LISTED:
        names += "…"
    if dry_run:
        note = _("%(n)d new person(s) will be created: %(names)s")
    else:
        note = _("%(n)d new person(s) created: %(names)s")
    outcome.notes.append(note % {"n": len(persons), "names": names})


#: at most this many 资料待补 rows are named one by one in the notes (the count names all)
FLAGGED_LISTED = 200


def flag_notes(outcome: ImportOutcome, flagged: list[tuple[int, str, tuple[str, ...]]]) -> None:
    """One note per row imported with data its stage still lacks, then how many there are."""
    if not flagged:
        return
    between = pgettext("between list items", ", ")
    sheets = len({sheet for _row, sheet, _labels in flagged}) > 1
    for number, sheet, labels in sorted(flagged)[:FLAGGED_LISTED]:
        line = _("Row %(row)d imported, data to complete: %(items)s") % {
            "row": number,
            "items": between.join(labels),
        }
        outcome.notes.append(f"{sheet} {line}" if sheets else line)
    outcome.notes.append(
        _(
            "%(n)d project(s) were imported with data their stage still needs: they are "
            "listed on the data-quality page until it is filled in."
        )
        % {"n": len(flagged)}
    )


# --- the template ------------------------------------------------------------------------


def template() -> Template:
    example = {
        "code": "",
        "name": "示例：新能源汽车零部件项目（导入时自动跳过以“示例”开头的行）",
        "investor": "某某汽车零部件有限公司",
        "cluster": "新能源汽车",
        "source_region": "长三角",
        "method": "产业链招商",
        "total_investment": 50000,
        "foreign_capital": 0,
        "out_of_city_capital": 30000,
        "land_area": 120,
        "stage": "已签约",
        "contract_date": dt.date(2026, 3, 15),
        "contracted_amount": 50000,
        "start_date": "",
        "production_date": "",
        "key_level": "",  # read-only: the level of a year's key lists
        "area": "",  # blank: the importing area; else an area below it (a zone)
        "sub_bureau": "新能源汽车装备专业招商分局",
        "lead_cadre": "陈志远（副区长）",
        "responsible_chief": "刘国强",
        "frontline_sub_chief": "孙海涛",
        "land_parcel": "装备产业集聚区 A-12 地块",
        "notes": "",
    }
    stage_words = "；".join(
        f"{Stage(stage).label}：{'、'.join(words)}" for stage, words in STAGE_WORDS.items()
    )
    help_rows: list[tuple[str, str]] = [
        (column.header, "、".join(s for s in SYNONYMS.get(column.key, ()) if s != column.header))
        for column in LEDGER_COLUMNS
    ]
    help_rows += [
        (_("Stage words"), stage_words),
        (_("Dates"), "2026-03-15、2026.3.15、2026/3/15、2026年3月15日"),
        (_("Blank"), "空白、—、-、/、无"),
    ]
    return Template(
        file_name="project-ledger-template.xlsx",
        sheet="招商项目台账",
        headers=[column.header for column in LEDGER_COLUMNS],
        examples=[[example[column.key] for column in LEDGER_COLUMNS]],
        help=help_rows,
    )
