"""The one lifecycle engine: everything with stages declares a ``Machine`` and asks it.

A machine is data — the main line in order, the side states and their rules,
which stages are final, the **gates** (the fields each stage needs and the
date-order rules between fields) and the wording of its refusals. Services
ask it whether a move is legal and what data is missing, the importers build
their memo keys from its gates, the pages show what the next stage still
needs: one table, read by all, so a rule added here holds everywhere.

Projects declare theirs in ``projects.lifecycle``, the reserve pipeline in
``construction.lifecycle``. Each move is recorded as a ``core.models.StageLog``
row, which is also where a resumable side state finds the stage it was entered
from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .models import StageLog, User

Text = str | Promise
Getter = Callable[[str], Any]


def given(value: Any) -> bool:
    """Present unless None (dates: any date counts)."""
    return value is not None


@dataclass(frozen=True)
class Required:
    """A field a stage needs: refused with ``message``, named ``label`` in the next-stage hint.

    ``present`` says whether a value counts: ``bool`` by default (so 0 and ""
    are missing), ``given`` when any non-None value will do.
    """

    field: str
    label: Text
    message: Text
    present: Callable[[Any], bool] = bool

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,)

    def problem(self, get: Getter) -> tuple[str, Text] | None:
        return None if self.present(get(self.field)) else (self.field, self.message)


@dataclass(frozen=True)
class DateOrder:
    """``later`` may not be before ``earlier`` when both are given; refused on ``later``."""

    earlier: str
    later: str
    message: Text

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.earlier, self.later)

    def problem(self, get: Getter) -> tuple[str, Text] | None:
        first, then = get(self.earlier), get(self.later)
        if first is not None and then is not None and then < first:
            return (self.later, self.message)
        return None


@dataclass(frozen=True)
class NotFuture:
    """A date that records what happened (签约, 开工, 投产) cannot be after today (Asia/Shanghai).

    A planned date is another field; this one says what already happened.
    """

    field: str
    message: Text

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,)

    def problem(self, get: Getter) -> tuple[str, Text] | None:
        value = get(self.field)
        if value is not None and value > timezone.localdate():
            return (self.field, self.message)
        return None


Rule = Required | DateOrder | NotFuture


@dataclass(frozen=True)
class Side:
    """A state off the main line.

    ``reason``: the refusal when a move here comes without a reason (None: no
    reason needed). ``resumes``: leaving it goes back only to the stage it was
    entered from (or to another side state), as a paused project does.
    """

    reason: Text | None = None
    resumes: bool = False


#: the refusals and the hint every machine words alike
UNKNOWN_STAGE = _("Unknown stage “%(stage)s”.")
NO_SKIPPING = _("Stages cannot be skipped: the next stage is “%(stage)s”.")
NEXT_NEEDS = _("The next stage “%(stage)s” still needs: %(fields)s")


@dataclass(frozen=True)
class Wording:
    """A machine's refusals that name what moves (“the project …”, “the item …”)."""

    already: Text
    back: Text
    resume: Text = ""
    unknown: Text = UNKNOWN_STAGE
    skip: Text = NO_SKIPPING
    next_needs: Text = NEXT_NEEDS


@dataclass(frozen=True, eq=False)
class Machine:
    """Ordered main stages, side states, finals and gates of one kind of record.

    ``gates`` maps a main stage to the rules that start there: they hold at
    that stage and at every later stage of the main line, never on a side
    state. ``final`` maps a stage nothing may leave to the refusal saying so.
    ``log`` is the related name of the record's ``StageLog`` rows.
    ``reason_field``: where a side state's missing reason is reported — None
    refuses the move itself (``move_error``); a field name reports it with the
    missing data (``gate_errors``), beside the form's or ledger's reason input.
    """

    choices: type[models.TextChoices]
    main: tuple[str, ...]
    wording: Wording
    log: str
    side: Mapping[str, Side] = field(default_factory=dict)
    final: Mapping[str, Text] = field(default_factory=dict)
    gates: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    reason_field: str | None = None
    stage_field: str = "stage"

    def __post_init__(self) -> None:
        """A machine that could strand a record or gate a side state is refused at import."""
        unknown = {*self.main, *self.side, *self.final, *self.gates} - set(self.choices.values)
        if unknown:
            raise ValueError(f"stages outside {self.choices.__name__}: {sorted(unknown)}")
        if set(self.gates) - set(self.main):
            raise ValueError("gates belong to main stages")
        stranded = [name for name, side in self.side.items() if not side.resumes]
        if set(stranded) - set(self.final):
            raise ValueError(f"a side state resumes or is final: {sorted(stranded)}")

    # --- the shape of the line ---------------------------------------------------------

    def label(self, stage: str) -> str:
        return str(self.choices(stage).label)

    def next_stage(self, stage: str) -> str | None:
        """The one forward step from ``stage``; None off the main line, at its end or final."""
        if stage not in self.main or stage in self.final or stage == self.main[-1]:
            return None
        return self.main[self.main.index(stage) + 1]

    def move_options(self, record: Any) -> list[str]:
        """The stages ``record`` may move to, for a form: the next step first, then the
        side states, then back along the main line (nearest first); never where it is."""
        here = getattr(record, self.stage_field)
        step = self.next_stage(here)
        back = list(reversed(self.main[: self.main.index(here)])) if here in self.main else []
        ordered = [*([step] if step else []), *self.side, *back, *self.main]
        return [s for s in dict.fromkeys(ordered) if not self.move_error(record, s, reason="·")]

    def rules_at(self, stage: str) -> tuple[Rule, ...]:
        """Every gate rule a record at ``stage`` must meet (none off the main line)."""
        if stage not in self.main:
            return ()
        line = self.main[: self.main.index(stage) + 1]
        return tuple(rule for step in line for rule in self.gates.get(step, ()))

    def gate_fields(self, stage: str | None = None) -> tuple[str, ...]:
        """The fields the gates read at ``stage`` (at any stage when None), in table order."""
        rules = (
            self.rules_at(stage)
            if stage is not None
            else tuple(r for rules in self.gates.values() for r in rules)
        )
        return tuple(dict.fromkeys(name for rule in rules for name in rule.fields))

    def verdicts(self, stage: str, get: Getter) -> tuple[bool, ...]:
        """Whether each gate rule at ``stage`` holds: all a memo of gate answers may key on."""
        return tuple(rule.problem(get) is None for rule in self.rules_at(stage))

    # --- asking about a record -----------------------------------------------------------

    def entered_from(self, record: Any, stage: str) -> str | None:
        """The stage ``record`` was in when it last moved to ``stage``, from its log."""
        last = (
            getattr(record, self.log).filter(to_stage=stage).order_by("-event_date", "-id").first()
        )
        return last.from_stage if last else None

    def move_error(self, record: Any, to_stage: str, *, reason: str) -> str | None:
        """Why moving ``record`` to ``to_stage`` is illegal in itself (not for lack of data)."""
        here = getattr(record, self.stage_field)
        words = self.wording
        if to_stage not in self.choices.values:
            return str(words.unknown) % {"stage": to_stage}
        if to_stage == here:
            return str(words.already)
        if here in self.final:
            return str(self.final[here])
        leaving = self.side.get(here)
        if leaving is not None and leaving.resumes and to_stage not in self.side:
            resume = self.entered_from(record, here)
            if to_stage != resume:
                return str(words.resume) % {"stage": self.label(resume) if resume else "—"}
            return None
        target = self.side.get(to_stage)
        if target is not None:
            if target.reason and self.reason_field is None and not reason.strip():
                return str(target.reason)
            return None
        rank, goal = self.main.index(here), self.main.index(to_stage)
        if goal > rank + 1:
            return str(words.skip) % {"stage": self.label(self.main[rank + 1])}
        if goal < rank and not reason.strip():
            return str(words.back)
        return None

    def gate_errors(
        self,
        record: Any,
        to_stage: str,
        *,
        reason: str,
        values: Mapping[str, Any] | None = None,
    ) -> dict[str, str]:
        """The data ``to_stage`` still needs, as {field: message}; empty when it may proceed.

        ``values`` overrides the record's own fields (data that comes with the move).
        """
        get = _getter(record, values)
        errors: dict[str, str] = {}
        for rule in self.rules_at(to_stage):
            found = rule.problem(get)
            if found is not None:
                errors.setdefault(found[0], str(found[1]))
        side = self.side.get(to_stage)
        if side is not None and side.reason and self.reason_field and not reason.strip():
            errors[self.reason_field] = str(side.reason)
        return errors

    def missing(
        self, record: Any, stage: str | None = None, *, values: Mapping[str, Any] | None = None
    ) -> list[Required]:
        """The ``Required`` rules ``record`` fails at ``stage`` (its own stage when None).

        Data a stage it already reached still lacks (资料待补): the ledger import
        lets such a record in and flags it; the ordering rules (``DateOrder``,
        ``NotFuture``) are never “missing data”, they stay refusals.
        """
        get = _getter(record, values)
        here = getattr(record, self.stage_field) if stage is None else stage
        return [
            rule
            for rule in self.rules_at(here)
            if isinstance(rule, Required) and rule.problem(get) is not None
        ]

    def required_fields(self) -> tuple[str, ...]:
        """Every field some stage's ``Required`` rule reads, in table order."""
        return tuple(
            dict.fromkeys(
                rule.field
                for rules in self.gates.values()
                for rule in rules
                if isinstance(rule, Required)
            )
        )

    def requiring(self) -> list[tuple[tuple[str, ...], Required]]:
        """Each ``Required`` rule with the main stages it holds at (its gate and later)."""
        return [
            (self.main[self.main.index(stage) :], rule)
            for stage, rules in self.gates.items()
            for rule in rules
            if isinstance(rule, Required)
        ]

    def next_needs(self, record: Any) -> tuple[str, list[str]] | None:
        """The next main stage and the labels of the fields it still needs, or None."""
        upcoming = self.next_stage(getattr(record, self.stage_field))
        if upcoming is None:
            return None
        missing = [str(rule.label) for rule in self.missing(record, upcoming)]
        return (upcoming, missing) if missing else None

    def next_hint(self, record: Any) -> str:
        """“进入下一阶段“签约”还需：签约日期、签约金额”, or "" when nothing is missing."""
        needs = self.next_needs(record)
        if needs is None:
            return ""
        stage, labels = needs
        hint = str(self.wording.next_needs)
        between = pgettext("between list items", ", ")
        return hint % {"stage": self.label(stage), "fields": between.join(labels)}


def _getter(record: Any, values: Mapping[str, Any] | None) -> Getter:
    if not values:
        return lambda name: getattr(record, name)
    return lambda name: values[name] if name in values else getattr(record, name)


L = TypeVar("L", bound=StageLog)


def log_move(
    log: type[L],
    *,
    from_stage: str,
    to_stage: str,
    event_date: dt.date,
    actor: User | None,
    note: str = "",
    reason: str = "",
    **owner: Any,
) -> L:
    """Record one move in a stage log, entered now; ``owner`` names what moved (and extras).

    The one writer of ``StageLog`` rows, so every machine's log reads alike.
    """
    return log._default_manager.create(
        from_stage=from_stage,
        to_stage=to_stage,
        event_date=event_date,
        recorded_at=timezone.now(),
        actor=actor,
        note=note,
        reason=reason,
        **owner,
    )
