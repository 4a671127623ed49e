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
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import DateField, DateTimeField, DecimalField, ForeignKey
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction, AuditResult
from zhaoshang.core.context import current_ip
from zhaoshang.core.models import Area, AuditEvent, User
from zhaoshang.core.snapshots import json_datetime, snapshot_attnames, snapshot_column

from ..models import Project, StageEvent
from .raw import CopyStream, RawInsert
from .rows import Row

_FIELDS = [f for f in Project._meta.concrete_fields if not f.primary_key]
#: the INSERT's columns: every concrete field but the id, in model order
PROJECT_COLUMNS = tuple(f.attname for f in _FIELDS)
#: row value keys for foreign keys: the importer keeps the related object under the field name
_FK_NAMES = {f.attname: f.name for f in _FIELDS if isinstance(f, ForeignKey)}
_SNAPSHOT = snapshot_attnames(Project)
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


_DECIMALS = [i for i, f in enumerate(_FIELDS) if isinstance(f, DecimalField)]
_DATETIMES = [i for i, f in enumerate(_FIELDS) if isinstance(f, DateTimeField)]
_DATES = [i for i, f in enumerate(_FIELDS) if isinstance(f, DateField) and i not in _DATETIMES]
#: where each snapshot key's value sits in (id, *PROJECT_COLUMNS)
_SNAPSHOT_AT = itemgetter(*[(("id", *PROJECT_COLUMNS)).index(name) for name in _SNAPSHOT])


#: ``json.dumps`` of a snapshot is this template filled with each value's JSON text
_JSON_TEMPLATE = (
    "{"
    + ", ".join(encode_basestring_ascii(name).replace("%", "%%") + ": %s" for name in _SNAPSHOT)
    + "}"
)


def _json_column(values: list[Any]) -> list[str]:
    """Each value as ``json.dumps`` writes it (text and ids: the common cases, inline)."""
    return [
        encode_basestring_ascii(x)
        if type(x) is str
        else "null"
        if x is None
        else int.__repr__(x)
        if type(x) is int
        else json.dumps(x)
        for x in values
    ]


class FastCreate:
    """Writes chunks of new ledger rows; one instance per import (columns worked out once).

    The work is done a column at a time (one comprehension per column over the
    chunk), which keeps Python's per-value overhead to a few dozen ns.
    """

    def __init__(self, area: Area, acting_user: User | None, file_name: str) -> None:
        self.area = area
        self.user = acting_user
        self.file_name = file_name
        self.projects = RawInsert(Project, PROJECT_COLUMNS)
        self.events = RawInsert(StageEvent, _EVENT_COLUMNS, ids=False)
        self.audits = RawInsert(AuditEvent, _AUDIT_COLUMNS, ids=False)
        self.stream: CopyStream | None = None
        self.ids: Iterator[int] = iter(())  # reserved for the stream's projects, in order
        self.defaults = {f.attname: f.get_default() for f in _FIELDS}
        for value in self.defaults.values():  # shared by every row: must be immutable
            assert value is None or isinstance(value, str | int | Decimal), value
        self.note = _("Imported from %(file)s, row %(row)d")
        self.username = acting_user.get_username() if acting_user else "system"
        self.adapt_json = connection.ops.adapt_json_value
        self.after_encoder = AuditEvent._meta.get_field("after").encoder  # type: ignore[attr-defined]
        #: the JSON column takes ``json.dumps(value)`` text (SQLite stores it; PostgreSQL's
        #: COPY parses it): the text can be built a column at a time
        self.plain_json = self.after_encoder is None and (
            self.audits.copies
            or type(connection.ops).adapt_json_value is BaseDatabaseOperations.adapt_json_value
        )

    def _column(self, values: list[dict[str, Any]], attname: str) -> list[Any]:
        """One column's Python values; a foreign key may be given as its object or its id."""
        default = self.defaults[attname]
        name = _FK_NAMES.get(attname)
        if name is None:
            return [v.get(attname, default) for v in values]
        return [
            v[attname] if attname in v else (None if (obj := v.get(name)) is None else obj.pk)
            for v in values
        ]

    def _python(self, rows: list[Row], dates: list[dt.date], now: dt.datetime) -> list[list[Any]]:
        """The chunk's ``PROJECT_COLUMNS`` as Python values, one list per column."""
        count = len(rows)
        fixed: dict[str, list[Any]] = {
            "area_id": [row.area_id or self.area.pk for row in rows],  # 所属区域, else ours
            "stage": [str(row.stage) for row in rows],
            "version": [1] * count,
            "last_progress_on": dates,
            "created_at": [now] * count,
            "updated_at": [now] * count,
        }
        values = [row.values for row in rows]
        return [
            fixed[name] if name in fixed else self._column(values, name) for name in PROJECT_COLUMNS
        ]

    def _for_db(self, python: list[list[Any]], now: dt.datetime) -> list[list[Any]]:
        """Columns converted as the fields' ``get_db_prep_value`` would (``now`` once)."""
        columns = list(python)
        for i, conv in self.projects.converters:
            if i not in _DATETIMES:
                columns[i] = [None if x is None else conv(x) for x in python[i]]
        stamp = self.projects.constant("created_at", now)
        for i in _DATETIMES:
            columns[i] = [stamp] * len(python[i])
        return columns

    def afters(self, ids: list[int], python: list[list[Any]], now: dt.datetime) -> list[Any]:
        """``core.snapshots.snapshot`` of each project just inserted, adapted for its column.

        Column by column with the same ``snapshot_value`` rules (both timestamps
        are the same ``now``, encoded once).
        """
        columns = list(python)
        for i in (*_DECIMALS, *_DATES):
            columns[i] = snapshot_column(python[i])
        stamp = json_datetime(now)
        for i in _DATETIMES:
            columns[i] = [stamp] * len(ids)
        ordered = _SNAPSHOT_AT([ids, *columns])
        if self.plain_json:
            encoded = [_json_column(column) for column in ordered]
            return [_JSON_TEMPLATE % values for values in zip(*encoded, strict=True)]
        adapt, encoder = self.adapt_json, self.after_encoder
        rows = zip(*ordered, strict=True)
        return [adapt(dict(zip(_SNAPSHOT, values, strict=True)), encoder) for values in rows]

    @contextmanager
    def streaming(self, total: int) -> Iterator[None]:
        """On PostgreSQL, ``write`` queues its COPYs on a ``CopyStream`` until this ends.

        The ids of all ``total`` new projects are reserved first: the stream's
        worker holds the connection, so no query may run in between.
        """
        if not self.projects.copies or not total:
            yield
            return
        self.ids = iter(self.projects.reserve(total))
        with CopyStream() as self.stream:
            try:
                yield
            finally:
                self.stream = None

    def write(self, rows: list[Row], dates: list[dt.date]) -> list[int]:
        """Insert one chunk of new projects with their stage events and audits; their ids."""
        now = timezone.now()
        python = self._python(rows, dates, now)
        ids = self._insert(self.projects, self._for_db(python, now), len(rows))
        self._events(rows, dates, ids, now)
        self._audits(rows, python, ids, now)
        return ids

    def _insert(self, insert: RawInsert, columns: list[list[Any]], count: int) -> list[int]:
        """Rows inserted now, or queued on the stream when there is one; their ids if wanted."""
        if self.stream is None:
            return insert.insert(columns, count)
        ids = list(islice(self.ids, count)) if insert.ids else []
        self.stream.put(insert, [ids, *columns] if insert.ids else columns, count)
        return ids

    def _events(
        self, rows: list[Row], dates: list[dt.date], ids: list[int], now: dt.datetime
    ) -> None:
        count = len(rows)
        conv = self.events.by_name["event_date"]
        columns: dict[str, list[Any]] = {
            "project_id": ids,
            "from_stage": [""] * count,
            "to_stage": [str(row.stage) for row in rows],
            "event_date": [conv(when) for when in dates] if conv else dates,
            "recorded_at": [self.events.constant("recorded_at", now)] * count,
            "actor_id": [self.user.pk if self.user else None] * count,
            "note": [self.note % {"file": self.file_name, "row": row.number} for row in rows],
            "reason": [""] * count,
            "evidence_id": [None] * count,
        }
        self._insert(self.events, [columns[name] for name in _EVENT_COLUMNS], count)

    def _audits(
        self, rows: list[Row], python: list[list[Any]], ids: list[int], now: dt.datetime
    ) -> None:
        count = len(rows)
        audits = self.audits
        columns: dict[str, list[Any]] = {
            "at": [audits.constant("at", now)] * count,
            "user_id": [self.user.pk if self.user else None] * count,
            "username": [self.username] * count,
            "area_id": [row.area_id or self.area.pk for row in rows],
            "ip": [audits.constant("ip", current_ip.get())] * count,
            "action": [str(AuditAction.CREATE)] * count,
            "object_type": [Project._meta.label_lower] * count,
            "object_id": [str(pk) for pk in ids],
            "object_repr": [str(row.values["name"])[:200] for row in rows],
            "before": [None] * count,
            "after": self.afters(ids, python, now),
            "result": [str(AuditResult.SUCCESS)] * count,
        }
        self._insert(audits, [columns[name] for name in _AUDIT_COLUMNS], count)
