"""Cheap screens for the model validators, and memoised stage gates, for 100,000-row ledgers.

Running a field's validators costs a few µs a value (``DecimalValidator``
alone unpacks the number twice); a screen answers “certainly valid” with one
comparison or one ``as_tuple``, and returns the value as it will be stored.
When a screen is unsure (``SUSPECT``) the row goes through the field's real
validators, so every error message is exactly Django's. A field carrying a
validator the screens do not know is never screened: its rows always take
the slow path.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.validators import DecimalValidator, MaxLengthValidator, MinValueValidator
from django.db import models

from zhaoshang.core.lifecycle import Required, Rule
from zhaoshang.imports.cells import CellError

from .. import services
from ..lifecycle import PROJECT
from ..models import Project

#: a screen's answer when only the field's validators can tell
SUSPECT: Any = object()

Screen = Callable[[Any], Any]


class Unsure:
    """A coerced value some screen was unsure of: the row takes the validators' path."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Refused:
    """A remembered refusal: the ``CellError``'s message."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class Remembered(dict[Any, Any]):
    """A column's coercions by cell text, filled on first use: ``table[raw]`` is the answer.

    A hit is one C-level dict lookup, no Python call at all — for the columns
    whose few values repeat row after row (stage, cluster, unit, leader …). A
    refusal comes back as ``Refused`` (``raising`` turns it into the error).
    Only text is remembered: 1, 1.0 and True are equal keys but not the same
    cell, so numbers and dates are coerced afresh every time.
    """

    def __init__(self, coerce: Callable[[Any], Any], limit: int = 20000) -> None:
        super().__init__()
        self.coerce = coerce
        self.limit = limit

    def __missing__(self, raw: Any) -> Any:
        try:
            answer = self.coerce(raw)
        except CellError as exc:
            answer = Refused(str(exc))
        if type(raw) is str and len(self) < self.limit:
            self[raw] = answer
        return answer


def raising(table: Remembered) -> Callable[[Any], Any]:
    """The table as a coercer: its refusals raised as ``CellError`` again."""

    def run(raw: Any) -> Any:
        answer = table[raw]
        if type(answer) is Refused:
            raise CellError(answer.message)
        return answer

    return run


def screened(coerce: Callable[[Any], Any], screen: Screen) -> Callable[[Any], Any]:
    """A coercer whose value comes back screened: as stored, or wrapped in ``Unsure``."""

    def run(raw: Any) -> Any:
        value = coerce(raw)
        if value is None or value == "":
            return value
        checked = screen(value)
        return Unsure(value) if checked is SUSPECT else checked

    return run


def decimal_rules(field: models.Field[Any, Any]) -> tuple[int, int] | None:
    """(whole digits, decimal places) when the field's only rules are those and “≥ 0”."""
    rules = [type(v) for v in field.validators]
    if sorted(r.__name__ for r in rules) != ["DecimalValidator", "MinValueValidator"]:
        return None
    minimum = next(v for v in field.validators if isinstance(v, MinValueValidator))
    digits = next(v for v in field.validators if isinstance(v, DecimalValidator))
    if minimum.limit_value != 0 or digits.max_digits is None or digits.decimal_places is None:
        return None
    return digits.max_digits - digits.decimal_places, digits.decimal_places


def screen_for(field: models.Field[Any, Any]) -> Screen | None:
    """A screen for ``field``'s validators, or None when some validator is unknown to it."""
    max_length: int | None = None
    minimum: Any = None
    decimal: tuple[int, int] | None = None
    for validator in field.validators:
        kind = type(validator)
        limit = getattr(validator, "limit_value", None)
        if kind is MaxLengthValidator and isinstance(limit, int):
            max_length = limit
        elif kind is MinValueValidator and isinstance(limit, int | Decimal):
            minimum = limit
        elif kind is DecimalValidator and isinstance(validator, DecimalValidator):
            if validator.max_digits is None or validator.decimal_places is None:
                return None
            decimal = (validator.max_digits, validator.decimal_places)
        else:
            return None
    if decimal is not None and max_length is None:
        return _decimal_screen(*decimal, minimum)
    if max_length is not None and minimum is None and decimal is None:
        return _text_screen(max_length)
    return None


def _text_screen(limit: int) -> Screen:
    def screen(value: Any) -> Any:
        return value if len(value) <= limit else SUSPECT

    return screen


def _decimal_screen(max_digits: int, places: int, minimum: Any) -> Screen:
    """Valid for certain when: finite, ≤ ``places`` decimals, few enough whole digits, ≥ min.

    The value returned is quantized to the field's places, as the database
    returns it (so re-importing the same file finds nothing changed).
    """
    whole = max_digits - places
    exponent = Decimal(1).scaleb(-places)

    def screen(value: Any) -> Any:
        _sign, digits, exp = value.as_tuple()
        if not isinstance(exp, int) or exp < -places or len(digits) + exp > whole:
            return SUSPECT
        if minimum is not None and value < minimum:
            return SUSPECT
        return value if exp == -places else value.quantize(exponent)

    return screen


def field_screens(names: tuple[str, ...]) -> dict[str, Screen | None]:
    fields = {name: Project._meta.get_field(name) for name in names}
    return {name: screen_for(f) for name, f in fields.items() if isinstance(f, models.Field)}


def set_aside_missing(problems: dict[str, str], missing: list[Required]) -> tuple[str, ...]:
    """Take the missing-data refusals out of ``problems``; their labels (资料待补) come back.

    A ledger row past a gate without that gate's data is imported and flagged,
    not refused: only the ``Required`` rules it fails are set aside, a date out
    of order or in the future stays an error.
    """
    labels: list[str] = []
    for rule in missing:
        if problems.get(rule.field) == str(rule.message):
            del problems[rule.field]
            labels.append(str(rule.label))
    return tuple(labels)


def project_problems(
    project: Project, stage: str, *, reason: str, kept: services.Kept | None = None
) -> tuple[dict[str, str], tuple[str, ...]]:
    """A ledger row's project at ``stage``: (errors by field, labels of the missing data).

    The gates of ``lifecycle.PROJECT`` and the responsibility chain, as the
    services judge them, with the missing data set aside (``set_aside_missing``).
    """
    problems = {k: str(v) for k, v in services.gate_errors(project, stage, reason=reason).items()}
    missing = set_aside_missing(problems, PROJECT.missing(project, stage))
    problems.update({k: str(v) for k, v in services.chain_errors(project, kept=kept).items()})
    return problems, missing


def _ref(value: Any) -> Any:
    """A chain value in a memo key: its pk, or the object itself while unsaved (a Person
    the import creates: ``Lookups.created``, one object per name however many rows)."""
    if value is None:
        return None
    return value.pk if value.pk is not None else ("new", id(value))


class Gates:
    """:func:`project_problems` for new projects, memoised.

    For a new project they read only: the stage, the fields the stage's gates
    in ``lifecycle.PROJECT`` read, and the cluster, sub-bureau and chain Persons
    (the other chain members are empty). The key holds the verdict of each of
    the stage's gate rules, taken from that same table, so a gate added there
    can never be answered from the cache of a row it does not fit. Rows
    sharing a key share the answer; each key is asked of the services once.
    The answer is the errors and, apart, the labels of the data the stage
    still lacks (``set_aside_missing``): the row is imported and flagged.
    """

    #: what ``services.chain_errors`` reads of a new project
    CHAIN = ("cluster", "sub_bureau", "lead_cadre", "responsible_chief", "frontline_sub_chief")

    def __init__(self, probe: Project) -> None:
        self.probe = probe
        self.cache: dict[tuple[Any, ...], tuple[dict[str, str], tuple[str, ...]]] = {}
        #: ``PROJECT.rules_at`` per stage, read from the table once an import (µs a row)
        self.rules: dict[str, tuple[Rule, ...]] = {}

    def problems(
        self, stage: str, values: dict[str, Any]
    ) -> tuple[dict[str, str], tuple[str, ...]]:
        """(errors by field, labels of the missing data) of a new row at ``stage``."""
        rules = self.rules.get(stage)
        if rules is None:
            rules = self.rules[stage] = PROJECT.rules_at(stage)
        get = values.get
        verdicts = tuple([rule.problem(get) is None for rule in rules])  # = PROJECT.verdicts
        chain = tuple(_ref(get(name)) for name in self.CHAIN)
        key = (stage, verdicts, chain)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._ask(stage, values)
        return found

    def _ask(self, stage: str, values: dict[str, Any]) -> tuple[dict[str, str], tuple[str, ...]]:
        probe = self.probe
        for name in (*PROJECT.gate_fields(), *self.CHAIN):
            setattr(probe, name, values.get(name))
        return project_problems(probe, stage, reason="—")
