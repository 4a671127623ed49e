"""Planning what each checked ledger row changes: new projects, changed ones, stage moves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.models import User
from zhaoshang.imports.cells import to_line

from .. import services
from ..choices import MAIN_STAGES, Stage, stage_rank
from ..models import Project, StageEvent
from .checks import Gates, project_problems
from .rows import CHAIN_FIELDS, TEXT_READERS, LedgerReader, Row
from .vocabulary import MATCH_CHUNK, MONEY_DEFAULT_ZERO, STAGE_DATE_FIELD, TITLES, ZERO


@dataclass(slots=True)
class Change:
    """An existing project a row changes: the new values, the stored ones, a stage move."""

    row: Row
    project: Project
    changes: dict[str, Any]
    stored: dict[str, Any]
    to_stage: str | None
    event_date: dt.date | None
    reason: str


@dataclass
class Plan:
    """What the import will write, worked out before the transaction starts."""

    new: list[Row] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    defaulted_amounts: int = 0
    #: rows written although their stage still lacks data (资料待补): (row, sheet, labels)
    flagged: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)


# --- planning: new rows, changed rows ---------------------------------------------------


class Planner:
    """Checks rows against the project rules and works out every write."""

    def __init__(self, reader: LedgerReader, acting_user: User | None) -> None:
        self.reader = reader
        self.errors = reader.errors
        self.area = reader.area
        self.acting_user = acting_user
        self.today = timezone.localdate()
        self.plan = Plan()
        self.default_amount = "contracted_amount" not in reader.present
        self.gates = Gates(reader.probe)

    def header(self, key: str) -> str:
        return self.reader.header(key)

    def gate_column(self, field_name: str) -> str:
        if field_name == "contracted_amount" and self.default_amount:
            return self.header("total_investment")
        if field_name == "reason":
            return self.header("notes")
        if field_name in TITLES:
            return self.header(field_name)
        return self.header("stage")

    def _gate(
        self, row: Row, project: Project, stage: str, reason: str, kept: services.Kept
    ) -> bool:
        problems, missing = project_problems(project, stage, reason=reason, kept=kept)
        for field_name, message in problems.items():
            self.errors.add(row.number, self.gate_column(field_name), str(message), sheet=row.sheet)
        if not problems and missing:
            self.plan.flagged.append((row.number, row.sheet, missing))
        return not problems

    def new(self, row: Row) -> None:
        values = row.values
        stage = row.stage or Stage.LEAD
        for name in MONEY_DEFAULT_ZERO:
            if values.get(name) is None:
                values[name] = ZERO
        if row.investor is not None:
            values["investor_id"] = row.investor[0]
            values.setdefault("investor_name", "")
        if row.region is not None:
            region, province, country = row.region
            values["source_region"] = region
            values["source_province"] = province or ""
            values["source_country"] = country or ""
        if (
            self.default_amount
            and _signed_or_later(stage)
            and not values.get("contracted_amount")
            and values.get("total_investment")
        ):
            values["contracted_amount"] = values["total_investment"]
            self.plan.defaulted_amounts += 1
        if stage not in MAIN_STAGES:
            self.errors.add(
                row.number,
                self.header("stage"),
                _(
                    "A new project cannot start as “%(stage)s”. Import it at the stage it "
                    "reached, then pause or terminate it in the system."
                )
                % {"stage": Stage(stage).label},
                sheet=row.sheet,
            )
            return
        problems, missing = self.gates.problems(stage, values)
        for field_name, message in problems.items():
            self.errors.add(row.number, self.gate_column(field_name), message, sheet=row.sheet)
        if not problems:
            row.stage = stage
            self.plan.new.append(row)
            if missing:
                self.plan.flagged.append((row.number, row.sheet, missing))

    def matched(self, rows: list[Row]) -> None:
        """Compare matched rows with their projects, a chunk of projects at a time."""
        for start in range(0, len(rows), MATCH_CHUNK):
            chunk = rows[start : start + MATCH_CHUNK]
            projects = (
                Project.objects.filter(pk__in=[r.project_id for r in chunk])
                .select_related(
                    "investor",
                    "cluster",
                    "sub_bureau",
                    "lead_cadre__area",
                    "responsible_chief__area",
                    "frontline_sub_chief__area",
                )
                .in_bulk()
            )
            moving = [
                r.project_id
                for r in chunk
                if r.stage and r.project_id in projects and projects[r.project_id].stage != r.stage
            ]
            last_dates = dict(
                StageEvent.objects.filter(project_id__in=moving)
                .values("project_id")
                .annotate(last=Max("event_date"))
                .values_list("project_id", "last")
            )
            for row in chunk:
                assert row.project_id is not None
                project = projects[row.project_id]
                project.area = self.reader.area_of(row)
                self._compare(row, project, last_dates.get(project.pk))

    def _compare(self, row: Row, project: Project, last_event: dt.date | None) -> None:
        changes: dict[str, Any] = {}
        for name, value in row.values.items():
            if name in CHAIN_FIELDS:
                pk = value.pk if value is not None else None
                if getattr(project, f"{name}_id") != pk or (value is not None and pk is None):
                    changes[name] = value  # another row, or a Person the import creates
            elif value is None and name in MONEY_DEFAULT_ZERO:
                if getattr(project, name) != 0:
                    changes[name] = ZERO
            elif getattr(project, name) != value:
                reader = TEXT_READERS.get(name)
                if reader is None or reader(getattr(project, name)) != value:
                    changes[name] = value  # a text as stored that reads as the cell is unchanged
        if row.investor is not None:
            enterprise_id, text = row.investor
            changes.pop("investor_name", None)
            if text == to_line(project.investor_display):
                pass  # the cell says what the ledger shows (linked or as written): no change
            elif enterprise_id is not None:
                if project.investor_id != enterprise_id:
                    changes["investor_id"] = enterprise_id
            elif project.investor_name != text:
                changes["investor_name"] = text
        if row.region is not None:
            region, province, country = row.region
            changes.pop("source_country", None)
            wanted = {"source_region": region}
            if province is not None or region != project.source_region:
                wanted["source_province"] = province or ""
            if country is not None or region != project.source_region:
                wanted["source_country"] = country or ""
            changes.update({k: v for k, v in wanted.items() if getattr(project, k) != v})
        to_stage = row.stage if row.stage and row.stage != project.stage else None
        target = to_stage or project.stage
        reason = str(row.values.get("notes") or "")
        if to_stage is not None:
            illegal = services.transition_error(project, to_stage, reason=reason)
            if illegal:
                self.errors.add(
                    row.number,
                    self.header("stage"),
                    illegal,
                    value=str(Stage(to_stage).label),
                    sheet=row.sheet,
                )
                return
        if (
            self.default_amount
            and _signed_or_later(target)
            and not changes.get("contracted_amount", project.contracted_amount)
        ):
            total = changes.get("total_investment", project.total_investment)
            if total:
                changes["contracted_amount"] = total
                self.plan.defaulted_amounts += 1
        if not changes and to_stage is None:
            self.plan.unchanged += 1
            return
        before = {name: getattr(project, name) for name in changes}
        kept = services.chain_kept(project)  # as stored: not judged again for rank
        for name, value in changes.items():
            setattr(project, name, value)
        gated = to_stage is not None or target in MAIN_STAGES  # as project_transition / _update
        if gated and not self._gate(
            row, project, target, reason=reason if to_stage else "—", kept=kept
        ):
            return
        if not gated:
            problems = services.chain_errors(project, kept=kept)
            for field_name, message in problems.items():
                self.errors.add(row.number, self.gate_column(field_name), message, sheet=row.sheet)
            if problems:
                return
        when = self._event_date(to_stage, project, last_event) if to_stage else None
        self.plan.changed.append(Change(row, project, changes, before, to_stage, when, reason))

    def _event_date(self, stage: str, project: Project, previous: dt.date | None) -> dt.date:
        """The real-world date of a stage move: the stage's own date when known and past."""
        own = STAGE_DATE_FIELD.get(stage)
        when = getattr(project, own) if own else None
        if when is None or when > self.today:
            when = self.today
        if previous is not None and when < previous:
            when = previous
        return when

    def event_date_for_new(self, row: Row) -> dt.date:
        own = STAGE_DATE_FIELD.get(row.stage or "")
        when = row.values.get(own) if own else None
        return when if when is not None and when <= self.today else self.today


def _signed_or_later(stage: str) -> bool:
    return stage in MAIN_STAGES and stage_rank(stage) >= stage_rank(Stage.SIGNED)
