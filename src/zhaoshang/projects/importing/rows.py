"""Reading ledger rows into checked values (planning what they change: ``planning``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoshang.core.models import Area
from zhaoshang.imports.cells import (
    CellError,
    plain_text,
    shown,
    to_date,
    to_decimal,
    to_name,
    to_text,
)
from zhaoshang.imports.kinds import ImportOutcome, Progress
from zhaoshang.imports.reading import UNIT_FAMILIES, SheetTable, open_tables

from ..models import Project
from .checks import (
    SUSPECT,
    Refused,
    Remembered,
    Screen,
    Unsure,
    decimal_rules,
    field_screens,
    raising,
    screened,
)
from .vocabulary import (
    MEMOIZED,
    PERSON_SLOTS,
    PROGRESS_EVERY,
    SPEC,
    TITLES,
    UNITS,
    VALIDATED_FIELDS,
    Lookups,
    Named,
    name_key,
    stage_in_heading,
)

# --- reading rows -----------------------------------------------------------------------

#: what ``_row`` does with a column's value (ordered: the first two store it under the key)
_STORE, _STORE_GIVEN, _STAGE, _INVESTOR, _REGION, _IGNORED, _AREA = range(7)
_KINDS = {
    "code": _STORE_GIVEN,  # blank: keep what the project has (new ones get the default)
    "method": _STORE_GIVEN,
    "stage": _STAGE,
    "investor": _INVESTOR,
    "source_region": _REGION,
    # read-only: a project's level is that of a year's key lists (construction), see
    # docs/import-formats.md; the column is recognised, its values reported as not imported
    "key_level": _IGNORED,
    "area": _AREA,  # 所属区域: the importing area or an area below it (a zone)
}
_STORED = (_STORE, _STORE_GIVEN)
#: (column index, header as shown, key, coercer, what to do with the value)
ColumnReader = tuple[int, str, str, Callable[[Any], Any], int]
#: per column, the coercer ``_fast_row`` calls: a remembered column's table lookup, which
#: hands back a ``Refused`` instead of raising
FastCoercer = Callable[[Any], Any]


@dataclass(slots=True)
class Row:
    """One checked ledger row: project values by field, and what it is matched to."""

    number: int
    sheet: str
    values: dict[str, Any]
    stage: str | None
    project_id: int | None = None
    investor: tuple[int | None, str] | None = None
    region: tuple[str, str | None, str | None] | None = None
    area_id: int | None = None  # 所属区域 when it names an area below the importing one


class RowPlan:
    """Where each kind of value sits in a sheet's list of read values (see ``_fast_row``)."""

    def __init__(self, readers: list[ColumnReader], fast: list[FastCoercer]) -> None:
        self.readers = readers
        self.coercers = [(r[0], coerce) for r, coerce in zip(readers, fast, strict=True)]
        self.remembered = [at for at, r in enumerate(readers) if r[2] in MEMOIZED]
        self.width = max((index + 1 for index, *_rest in readers), default=0)
        self.store = [(r[2], at) for at, r in enumerate(readers) if r[4] in _STORED]
        self.given = [r[2] for r in readers if r[4] == _STORE_GIVEN]
        self.screened = [at for at, r in enumerate(readers) if r[2] in VALIDATED_FIELDS]
        found = {r[4]: at for at, r in enumerate(readers)}
        self.stage = found.get(_STAGE)
        self.investor = found.get(_INVESTOR)
        self.region = found.get(_REGION)
        self.area = found.get(_AREA)


class LedgerReader:
    """Reads every sheet of a ledger into ``Row``s, reporting each bad cell."""

    def __init__(self, area: Area, outcome: ImportOutcome, progress: Progress) -> None:
        self.area = area
        self.outcome = outcome
        self.errors = outcome.errors
        self.progress = progress
        self.lookups = Lookups(area)
        self.present: set[str] = set()  # ledger keys some sheet has a column for
        self.headers: dict[str, str] = {}
        self.areas = AreaNames(area)
        # projects of this area and the areas below it, keyed by (area id, number or name)
        existing = Project.objects.filter(area__path__startswith=area.path).values_list(
            "pk", "area_id", "code", "name", *(f"{slot}_id" for slot in PERSON_SLOTS)
        )
        self.by_code: dict[tuple[int, str], int] = {}
        self.by_name: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.codeless_by_name: dict[tuple[int, str], list[int]] = defaultdict(list)
        #: per chain slot, project → the Person in it, to settle a ``Named``
        self.holders: dict[str, dict[int, int]] = {slot: {} for slot in PERSON_SLOTS}
        for pk, area_id, code, name, *members in existing:
            for slot, member in zip(PERSON_SLOTS, members, strict=True):
                if member is not None:
                    self.holders[slot][pk] = member
            key = (area_id, name_key(name))
            self.by_name[key].append(pk)
            if code:
                self.by_code[(area_id, code)] = pk
            else:
                self.codeless_by_name[key].append(pk)
        self.seen_codes: dict[tuple[int, str], int] = {}
        self.seen_names: dict[tuple[int, str], int] = {}
        self.claimed: dict[int, int] = {}
        self.validators = {name: _field(name).validators for name in VALIDATED_FIELDS}
        self.exponents = {
            name: Decimal(1).scaleb(-field.decimal_places)
            for name in VALIDATED_FIELDS
            if isinstance(field := _field(name), models.DecimalField)
            and field.decimal_places is not None
        }
        self.name_field = Project._meta.get_field("name")
        self.probe = Project(area=area)
        #: screens of the validated fields; a field without one is validated on every row
        self.screens: dict[str, Screen | None] = field_screens(VALIDATED_FIELDS)
        self.fast: dict[str, FastCoercer] = {}  # the last sheet's, by key (see RowPlan)

    def header(self, key: str) -> str:
        return self.headers.get(key) or TITLES[key]

    def area_of(self, row: Row) -> Area:
        """The area a row's project belongs to: its 所属区域, else the importing area."""
        return self.areas.rows[row.area_id] if row.area_id else self.area

    def readers(self, table: SheetTable) -> list[ColumnReader]:
        """How to read each column found; validated fields come back screened (``Unsure``)."""
        result: list[ColumnReader] = []
        for key, found in table.columns.items():
            self.present.add(key)
            self.headers.setdefault(key, found.header)
            coerce = self._coercer(key, found.factor)
            screen = self.screens.get(key)
            if key in ("code", "name") and screen is not None:
                coerce = _name_reader(screen)
            elif key in self.screens and key not in UNITS:  # numbers: screened as they are read
                coerce = screened(coerce, screen) if screen else _always_unsure(coerce)
            fast = coerce
            if key in MEMOIZED:
                answers = Remembered(coerce)
                fast, coerce = answers.__getitem__, raising(answers)
            self.fast[key] = fast
            result.append((found.index, found.header, key, coerce, _KINDS.get(key, _STORE)))
        return result

    def _coercer(self, key: str, factor: Decimal) -> Callable[[Any], Any]:
        look = self.lookups
        if key in UNITS:
            return _decimal_reader(
                factor,
                UNIT_FAMILIES[UNITS[key]],
                self.exponents[key],
                self.screens.get(key),
                decimal_rules(_field(key)),
            )
        if key in ("contract_date", "start_date", "production_date"):
            return _date
        if key in TEXT_READERS:
            return TEXT_READERS[key]
        coercers: dict[str, Callable[[Any], Any]] = {
            "investor": look.investor,
            "stage": look.stages,
            "method": look.methods,
            "key_level": _ignored,
            "area": self.areas.cell,
            "cluster": look.cluster,
            "sub_bureau": look.unit,
            "lead_cadre": look.person,
            "responsible_chief": partial(look.person, slot="responsible_chief"),
            "frontline_sub_chief": partial(look.person, slot="frontline_sub_chief"),
            "source_region": look.region,
        }
        return coercers.get(key, to_text)

    def read(self, path: Path, estimate: int) -> list[Row]:
        rows: list[Row] = []
        seen = 0
        for table in open_tables(path, SPEC):
            readers = self.readers(table)
            plan = RowPlan(readers, [self.fast[r[2]] for r in readers])
            if "key_level" in table.columns:
                self.outcome.notes.append(
                    _(
                        "Sheet “%(sheet)s”: column %(col)s not imported: a project's key-project "
                        "level is that of the key-project lists of each year; change it there."
                    )
                    % {"sheet": table.sheet, "col": table.columns["key_level"].header}
                )
            if table.unknown_headers:
                self.outcome.notes.append(
                    _("Sheet “%(sheet)s”: columns not imported: %(cols)s.")
                    % {
                        "sheet": table.sheet,
                        "cols": pgettext("between list items", ", ").join(table.unknown_headers),
                    }
                )
            total = max(estimate, seen + table.height)
            headings: str | None = None
            section_stage: str | None = None
            for number, cells, section in table.data_rows():
                seen += 1
                if seen % PROGRESS_EVERY == 0:
                    self.progress(processed=seen, total=total)
                if section != headings:
                    headings = section
                    section_stage = _section_stage(section)
                row = self._fast_row(table.sheet, number, cells, plan, section_stage)
                if row is not None:
                    rows.append(row)
        self.outcome.total_rows = seen
        self.progress(processed=seen, total=seen)
        return rows

    def _row(
        self,
        sheet: str,
        number: int,
        cells: list[Any],
        readers: list[ColumnReader],
        section_stage: str | None,
    ) -> Row | None:
        values: dict[str, Any] = {}
        row = Row(number, sheet, values, None)
        bad = suspect = False
        width = len(cells)
        for index, header, key, coerce, kind in readers:
            raw = cells[index] if index < width else ""
            try:
                value = coerce(raw)
            except CellError as exc:
                self.errors.add(number, header, str(exc), value=shown(raw), sheet=sheet)
                bad = True
                continue
            if type(value) is Unsure:
                suspect = True
                value = value.value
            if kind == _STORE_GIVEN and not value:
                continue  # blank: keep what the project has (new ones get the default)
            if kind <= _STORE_GIVEN:
                values[key] = value
            elif kind == _STAGE:
                row.stage = value
            elif kind == _INVESTOR:
                row.investor = value
            elif kind == _REGION:
                row.region = value
            elif kind == _AREA:
                row.area_id = value
        if bad:
            self._failed(row)
            return None
        return self._finish(row, suspect, section_stage)

    def _fast_row(
        self,
        sheet: str,
        number: int,
        cells: list[Any],
        plan: RowPlan,
        section_stage: str | None,
    ) -> Row | None:
        """``_row`` done a list at a time; any bad cell sends the row to ``_row`` for its errors."""
        if len(cells) < plan.width:
            cells = [*cells, *[""] * (plan.width - len(cells))]
        try:
            got = [coerce(cells[index]) for index, coerce in plan.coercers]
        except CellError:
            return self._row(sheet, number, cells, plan.readers, section_stage)
        for at in plan.remembered:
            if type(got[at]) is Refused:
                return self._row(sheet, number, cells, plan.readers, section_stage)
        suspect = False
        for at in plan.screened:
            value = got[at]
            if type(value) is Unsure:
                suspect = True
                got[at] = value.value
        values = {key: got[at] for key, at in plan.store}
        for key in plan.given:
            if not values[key]:
                del values[key]  # blank: keep what the project has (new ones get the default)
        row = Row(number, sheet, values, None)
        if plan.stage is not None:
            row.stage = got[plan.stage]
        if plan.investor is not None:
            row.investor = got[plan.investor]
        if plan.region is not None:
            row.region = got[plan.region]
        if plan.area is not None:
            row.area_id = got[plan.area]
        return self._finish(row, suspect, section_stage)

    def _finish(self, row: Row, suspect: bool, section_stage: str | None) -> Row | None:
        """What every row gets once its cells are read: name, derived fields, rules, match."""
        values, number, sheet = row.values, row.number, row.sheet
        name = values.get("name", "")
        if not name:
            self.errors.add(
                number, self.header("name"), _("The project name is empty."), sheet=sheet
            )
            self._failed(row)
            return None
        if row.region is not None and row.region[2]:
            values["source_country"] = row.region[2]
            suspect = suspect or self._unsure("source_country", row.region[2])
        if row.investor is not None and row.investor[0] is None:
            values["investor_name"] = row.investor[1]
            suspect = suspect or self._unsure("investor_name", row.investor[1])
        if suspect and not self._validate(row):
            self._failed(row)
            return None
        row.stage = row.stage or section_stage
        if not self._match(row):
            self._failed(row)
            return None
        return row if self._settle_all(row, row.project_id) else None

    def _failed(self, row: Row) -> None:
        """A row found wrong before its match: its chain cells' problems are listed as well."""
        self._settle_all(row, self._existing(row.values))

    def _settle_all(self, row: Row, project_id: int | None) -> bool:
        """Settle every chain cell only the project can (``Named``); all problems listed."""
        ok = True
        for slot in PERSON_SLOTS:
            named = row.values.get(slot)
            if type(named) is Named and not self._settle(row, slot, named, project_id):
                ok = False
        return ok

    def _settle(self, row: Row, slot: str, named: Named, project_id: int | None) -> bool:
        current = self.holders[slot].get(project_id) if project_id is not None else None
        try:
            row.values[slot] = self.lookups.settle(named, current)
        except CellError as exc:
            header = self.header(slot)
            self.errors.add(row.number, header, str(exc), value=named.text, sheet=row.sheet)
            return False
        return True

    def _existing(self, values: dict[str, Any]) -> int | None:
        """The project a row's number or name points at, if just one (``_match`` without
        claiming it: for a row that has errors already)."""
        code = values.get("code", "")
        area_id = self.area.pk  # a row with errors may have a bad 所属区域: its own area
        if code and (area_id, code) in self.by_code:
            return self.by_code[(area_id, code)]
        key = (area_id, name_key(values.get("name", "")))
        same = self.codeless_by_name.get(key, []) if code else self.by_name.get(key, [])
        return same[0] if len(same) == 1 else None

    def _unsure(self, name: str, value: Any) -> bool:
        screen = self.screens.get(name)
        return screen is None or (value != "" and screen(value) is SUSPECT)

    def _validate(self, row: Row) -> bool:
        """The fields' own validators, for a row some screen was unsure of (exact messages)."""
        ok = True
        for name, validators in self.validators.items():
            value = row.values.get(name)
            if value is None or value == "":
                continue
            for validator in validators:
                try:
                    validator(value)
                except ValidationError as exc:
                    column = "investor" if name == "investor_name" else name
                    column = "source_region" if name == "source_country" else column
                    self.errors.add(
                        row.number,
                        self.header(column),
                        " ".join(exc.messages),
                        value=shown(value),
                        sheet=row.sheet,
                    )
                    ok = False
                    break
            else:
                exponent = self.exponents.get(name)
                if exponent is not None:  # stored as the database would return it
                    row.values[name] = value.quantize(exponent)
        return ok

    def _match(self, row: Row) -> bool:
        """Find the existing project a row updates; refuse rows that collide with another."""
        code = row.values.get("code", "")
        area_id = row.area_id or self.area.pk
        key = (area_id, name_key(row.values["name"]))
        pid: int | None
        if code:
            if (area_id, code) in self.seen_codes:
                return self._duplicate(row, "code", self.seen_codes[(area_id, code)])
            self.seen_codes[(area_id, code)] = row.number
            pid = self.by_code.get((area_id, code))
            if pid is None:
                same_name = self.codeless_by_name.get(key, [])
                pid = same_name[0] if len(same_name) == 1 else None
        else:
            candidates = self.by_name.get(key, [])
            if len(candidates) > 1:
                self.errors.add(
                    row.number,
                    self.header("name"),
                    _(
                        "%(n)d projects of this area are called “%(name)s”; fill in 项目编号 "
                        "to say which one this row is."
                    )
                    % {"n": len(candidates), "name": row.values["name"]},
                    sheet=row.sheet,
                )
                return False
            pid = candidates[0] if candidates else None
            if pid is None:
                if key in self.seen_names:
                    return self._duplicate(row, "name", self.seen_names[key])
                self.seen_names[key] = row.number
        if pid is not None:
            if pid in self.claimed:
                return self._duplicate(row, "name", self.claimed[pid])
            self.claimed[pid] = row.number
        row.project_id = pid
        return True

    def _duplicate(self, row: Row, column: str, first: int) -> bool:
        self.errors.add(
            row.number,
            self.header(column),
            _("This project already appears in row %(row)d of the file.") % {"row": first},
            value=shown(row.values.get(column, "")),
            sheet=row.sheet,
        )
        return False


CHAIN_FIELDS = ("cluster", "sub_bureau", *PERSON_SLOTS)


def _field(name: str) -> models.Field[Any, Any]:
    found = Project._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _decimal_reader(
    factor: Decimal,
    units: dict[str, Decimal],
    places: Decimal,
    screen: Screen | None,
    rules: tuple[int, int] | None,
) -> Callable[[Any], Any]:
    """Numbers of a column, screened; a converted unit (亿元 → 万元) is rounded to the places.

    A plain Excel number in the stored unit (nearly every cell) is checked on
    its 15-digit text and becomes the stored Decimal directly: what
    ``to_decimal`` + the screen would give, without either.
    """
    fast = factor == 1 and screen is not None and rules is not None
    whole, decimals = rules or (0, 0)
    padding = ["0" * (decimals - n) for n in range(decimals + 1)]
    integral = "." + padding[0] if decimals else ""

    def read(raw: Any) -> Any:
        if fast and type(raw) is float and raw >= 0.0:
            text = format(raw, ".15g")
            if "e" not in text and "n" not in text:  # not 1e+20, inf, nan
                dot = text.find(".")
                if dot < 0:
                    if len(text) <= whole:
                        return Decimal(text + integral)
                elif dot <= whole and len(text) - dot - 1 <= decimals:
                    return Decimal(text + padding[len(text) - dot - 1])
        value = to_decimal(raw, units=units)
        if value is None:
            return None
        if factor != 1:
            value = (value * factor).quantize(places, rounding=ROUND_HALF_UP)
        if screen is None:
            return Unsure(value)
        checked = screen(value)
        return Unsure(value) if checked is SUSPECT else checked

    return read


def _name_reader(screen: Screen) -> Callable[[Any], Any]:
    """``to_name`` + the screen, for a name or code: most cells need one strip and one len."""
    general = screened(to_name, screen)

    def read(raw: Any) -> Any:
        if type(raw) is str:
            text = plain_text(raw)
            if text is not None:
                checked = screen(text)
                return Unsure(text) if checked is SUSPECT else checked
        return general(raw)

    return read


def _always_unsure(coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """For a field no screen understands: every value goes to its validators."""

    def run(raw: Any) -> Any:
        value = coerce(raw)
        return value if value is None or value == "" else Unsure(value)

    return run


def _ignored(raw: Any) -> None:
    """A read-only column's cell: recognised, never stored."""
    return None


class AreaNames:
    """所属区域: the importing area and every area below it, by name or code.

    A row may name its own area or an area under it (an industrial zone under
    the district); anything else is beyond the importer's reach and is a row
    error naming the area. A blank cell or the importing area itself is ``None``
    (the importing area).
    """

    def __init__(self, area: Area) -> None:
        self.area = area
        self.rows: dict[int, Area] = {}
        self.found: dict[str, int | None] = {}
        for each in Area.objects.filter(path__startswith=area.path):
            self.rows[each.pk] = each
            for text in (each.code, name_key(each.name)):
                # two areas of one name: only the code says which (None: ambiguous)
                self.found[text] = None if text in self.found else each.pk

    def cell(self, raw: Any) -> int | None:
        text = to_name(raw)
        if not text:
            return None
        key = text if text.isdigit() else name_key(text)
        if key not in self.found:
            raise CellError(
                _("The area “%(value)s” is not %(area)s or an area below it.")
                % {"value": text, "area": self.area.name}
            )
        pk = self.found[key]
        if pk is None:
            raise CellError(
                _("Several areas are called “%(value)s”; write the area code instead.")
                % {"value": text}
            )
        return None if pk == self.area.pk else pk


def _date(raw: Any) -> dt.date | None:
    """``to_date``, with Excel dates (most of them) taken without any further test."""
    if type(raw) is dt.datetime:
        return raw.date()
    return to_date(raw)


def _notes(raw: Any) -> str:
    return to_text(raw).replace("\r\n", "\n").replace("\r", "\n")


#: how each plain-text column's cell is read; ``planning`` reads a project's stored text the
#: same way to tell whether a row changes it (a note saved as “无”, with Windows line ends or
#: surrounding spaces is exported as it is and reads back as what the cell says)
TEXT_READERS: dict[str, Callable[[Any], str]] = {
    "code": to_name,
    "name": to_name,
    "land_parcel": to_text,
    "notes": _notes,
}


def _section_stage(section: str) -> str | None:
    """The stage named by the innermost heading that names one."""
    for heading in reversed(section.split(" / ")):
        stage = stage_in_heading(heading)
        if stage:
            return stage
    return None
