"""Creating the ledger's new projects: one raw INSERT each for projects, stage events, audits.

Each created project gets, as with ``projects.services.project_create``: its
row (``version`` 1, ``last_progress_on`` = the first stage event's date,
``created_at``/``updated_at`` = now), a first ``StageEvent`` (from “” to its
stage), and a create ``AuditEvent`` whose ``after`` is ``snapshot(project)``
— the same JSON, key for key. The values are converted for the database
column by column (``raw.RawInsert``), never through the SQL compiler.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import DateField, DateTimeField, DecimalField, ForeignKey
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction, AuditResult
from zhaoshang.core.context import current_ip
from zhaoshang.core.models import Area, AuditEvent, User
from zhaoshang.core.services import SECRET_FIELDS

from ..models import Project, StageEvent
from .raw import RawInsert
from .rows import Row

_ENCODER_DATETIME = "datetime"
_FIELDS = [f for f in Project._meta.concrete_fields if not f.primary_key]
#: the INSERT's columns: every concrete field but the id, in model order
PROJECT_COLUMNS = tuple(f.attname for f in _FIELDS)
#: row value keys for foreign keys: the importer keeps the related object under the field name
_FK_NAMES = {f.attname: f.name for f in _FIELDS if isinstance(f, ForeignKey)}
_SNAPSHOT = tuple(f.attname for f in Project._meta.concrete_fields if f.name not in SECRET_FIELDS)
_EVENT_COLUMNS = (
    "project_id",
    "from_stage",
    "to_stage",
    "event_date",
    "recorded_at",
    "actor_id",
    "note",
    "reason",
    "evidence_id",
)
_AUDIT_COLUMNS = (
    "at",
    "user_id",
    "username",
    "area_id",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "result",
)


def json_datetime(value: dt.datetime) -> str:
    """A datetime as ``DjangoJSONEncoder`` writes it (milliseconds, “Z” for UTC)."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text.removesuffix("+00:00") + "Z"
    return text


def _json_kind(field: Any) -> str:
    """How ``snapshot`` turns the field's value into JSON: as is, str(), isoformat()."""
    if isinstance(field, DecimalField):
        return "str"
    if isinstance(field, DateTimeField):
        return _ENCODER_DATETIME
    if isinstance(field, DateField):
        return "date"
    return ""


_JSON_KINDS = {f.attname: _json_kind(f) for f in Project._meta.concrete_fields}


class FastCreate:
    """Writes chunks of new ledger rows; one instance per import (columns worked out once)."""

    def __init__(self, area: Area, acting_user: User | None, file_name: str) -> None:
        self.area = area
        self.user = acting_user
        self.file_name = file_name
        self.projects = RawInsert(Project, PROJECT_COLUMNS)
        self.events = RawInsert(StageEvent, _EVENT_COLUMNS)
        self.audits = RawInsert(AuditEvent, _AUDIT_COLUMNS)
        self.defaults = {f.attname: f.get_default() for f in _FIELDS}
        for value in self.defaults.values():  # shared by every row: must be immutable
            assert value is None or isinstance(value, str | int | Decimal), value
        self.note = _("Imported from %(file)s, row %(row)d")
        self.username = acting_user.get_username() if acting_user else "system"
        self.adapt_json = connection.ops.adapt_json_value
        self.after_encoder = AuditEvent._meta.get_field("after").encoder  # type: ignore[attr-defined]

    def _project_values(self, row: Row, when: dt.date, now: dt.datetime) -> list[Any]:
        """The row's values in ``PROJECT_COLUMNS`` order, as Python values."""
        values = row.values
        fixed = {
            "area_id": self.area.pk,
            "stage": str(row.stage),
            "version": 1,
            "last_progress_on": when,
            "created_at": now,
            "updated_at": now,
        }
        result: list[Any] = []
        for name in PROJECT_COLUMNS:
            if name in fixed:
                result.append(fixed[name])
            elif name in values:
                result.append(values[name])
            elif name in _FK_NAMES and _FK_NAMES[name] in values:
                related = values[_FK_NAMES[name]]
                result.append(related.pk if related is not None else None)
            else:
                result.append(self.defaults[name])
        return result

    def snapshot(
        self, pk: int, python: list[Any], now: dt.datetime, now_json: str
    ) -> dict[str, Any]:
        """``core.services.snapshot`` of the project just inserted, from its values."""
        by_name = dict(zip(PROJECT_COLUMNS, python, strict=True))
        by_name["id"] = pk
        data: dict[str, Any] = {}
        for name in _SNAPSHOT:
            value = by_name[name]
            kind = _JSON_KINDS[name]
            if value is not None and kind:
                if kind == "str":
                    value = str(value)
                elif kind == "date":
                    value = value.isoformat()
                else:
                    value = now_json if value is now else json_datetime(value)
            data[name] = value
        return data

    def write(self, rows: list[Row], dates: list[dt.date]) -> list[int]:
        """Insert one chunk of new projects with their stage events and audits; their ids."""
        now = timezone.now()
        python = [
            self._project_values(row, when, now) for row, when in zip(rows, dates, strict=True)
        ]
        ids = self.projects.insert(self.projects.prepared(python, frozenset()))
        self._events(rows, dates, ids, now)
        self._audits(rows, python, ids, now)
        return ids

    def _events(
        self, rows: list[Row], dates: list[dt.date], ids: list[int], now: dt.datetime
    ) -> None:
        recorded = self.events.constant("recorded_at", now)
        actor = self.user.pk if self.user else None
        conv = self.events.by_name["event_date"]
        self.events.insert(
            [
                [
                    pk,
                    "",
                    str(row.stage),
                    conv(when) if conv else when,
                    recorded,
                    actor,
                    self.note % {"file": self.file_name, "row": row.number},
                    "",
                    None,
                ]
                for row, when, pk in zip(rows, dates, ids, strict=True)
            ]
        )

    def _audits(
        self, rows: list[Row], python: list[list[Any]], ids: list[int], now: dt.datetime
    ) -> None:
        audits = self.audits
        head = [
            audits.constant("at", now),
            self.user.pk if self.user else None,
            self.username,
            self.area.pk,
            audits.constant("ip", current_ip.get()),
            str(AuditAction.CREATE),
            Project._meta.label_lower,
        ]
        now_json = json_datetime(now)
        tail = str(AuditResult.SUCCESS)
        adapt, encoder = self.adapt_json, self.after_encoder
        audits.insert(
            [
                [
                    *head,
                    str(pk),
                    str(row.values["name"])[:200],
                    None,
                    adapt(self.snapshot(pk, values, now, now_json), encoder),
                    tail,
                ]
                for row, values, pk in zip(rows, python, ids, strict=True)
            ]
        )
