"""The one audit snapshot encoder: a row's own fields as JSON-safe values, secrets left out.

Audit rows keep ``before``/``after`` pictures of what changed. Every writer —
a service saving one row, the ledger importer writing 100,000 at once in
columns — encodes values with :func:`snapshot_value`, so an imported project's
audit row reads exactly like one written by a service. The rules are
``DjangoJSONEncoder``'s (Decimal → str, date → ISO, datetime → ISO with
milliseconds and "Z" for UTC), applied without a JSON round trip.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

SECRET_FIELDS = frozenset({"password", "key", "secret", "webhook_url"})
_PLAIN = (str, int, bool, float)


def snapshot_attnames(model: type[models.Model]) -> tuple[str, ...]:
    """The columns a snapshot of ``model`` holds, in field order."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.name not in SECRET_FIELDS)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON-safe picture of a row's own fields (secrets left out) for before/after."""
    return {
        name: snapshot_value(getattr(instance, name)) for name in snapshot_attnames(type(instance))
    }


def snapshot_value(value: Any) -> Any:
    """One value as ``json.loads(json.dumps(value, cls=DjangoJSONEncoder))`` would give it."""
    if value is None or type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime):
        return json_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return json.loads(json.dumps(value, cls=_Encoder))


def snapshot_column(values: list[Any]) -> list[Any]:
    """:func:`snapshot_value` of each value of one column, for bulk writers.

    A column's values share a type, so its encoder is looked up once; a value
    of another type still gets the general rules.
    """
    kind = next((type(v) for v in values if v is not None), None)
    encode = _BY_TYPE.get(kind) if kind is not None else None
    if encode is None:
        return [snapshot_value(v) for v in values]
    return [
        None if v is None else encode(v) if type(v) is kind else snapshot_value(v) for v in values
    ]


def json_datetime(value: dt.datetime) -> str:
    """A datetime as ``DjangoJSONEncoder`` writes it (milliseconds, "Z" for UTC)."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text.removesuffix("+00:00") + "Z"
    return text


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, plus ``str()`` for anything else (a stored file's name, say)."""

    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)


_BY_TYPE: dict[type, Any] = {
    Decimal: str,
    dt.date: dt.date.isoformat,
    dt.datetime: json_datetime,
}
