"""The audit log as a supervisor reads it: Chinese names, labelled changes, links.

An :class:`~zhaoshang.core.models.AuditEvent` stores ``object_type``
("projects.project"), the object's id and JSON snapshots. A 督查室 reader must
not need the code to read that, so this module turns a page of events into
"项目「天中动力电池组装项目」" and "阶段: 在谈 → 签约" lines.

Core may not import the apps above it, so everything comes from the model
registry (``apps.get_model(object_type)``: ``verbose_name``, each field's
``verbose_name`` and ``flatchoices``), and links come from a registry the apps
fill from their ``AppConfig.ready()`` (:func:`register_object_links`). All
lookups are batched per page — one query per related model and per linked
object type — so the list's query count does not grow with its rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import AuditAction
from .models import AuditEvent
from .snapshots import SECRET_FIELDS

#: object type → callable(user, object ids) → {object id: URL} for the ids the user may open
ObjectLinks = Callable[[Any, list[str]], dict[str, str]]
_LINKS: dict[str, ObjectLinks] = {}

#: keys that services write next to a model's fields (exports, imports, role changes…)
EXTRA_LABELS: dict[str, Any] = {
    "filters": gettext_lazy("filters"),
    "rows": gettext_lazy("rows"),
    "people": gettext_lazy("people"),
    "language": gettext_lazy("language"),
    "totp_devices": gettext_lazy("two-factor devices"),
    "locked_attempts": gettext_lazy("failed log-in attempts"),
    "file_name": gettext_lazy("file name"),
    "dry_run": gettext_lazy("trial run"),
    "reason": gettext_lazy("reason"),
    "event_date": gettext_lazy("date"),
    "phase": gettext_lazy("phase"),
    "area": gettext_lazy("area"),
    "within": gettext_lazy("area and below"),
    "year": gettext_lazy("year"),
    "month": gettext_lazy("month"),
    "panel": gettext_lazy("panel"),
    "q": gettext_lazy("search"),
    "sort": gettext_lazy("sort"),
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"),
    "unchanged": gettext_lazy("unchanged"),
    "errors": gettext_lazy("errors"),
    "late_entry": gettext_lazy("late entry"),
    "item_due_date": gettext_lazy("due date"),
}
#: filter keys whose values are area codes, not row ids: shown as they are
_CODE_FILTERS = frozenset({"area", "within"})
#: object types that are no model (an export of a dashboard …) → their Chinese name
_TYPE_LABELS: dict[str, Any] = {}
_SKIPPED = frozenset({"id", "version"})


def register_object_links(object_type: str, links: ObjectLinks) -> None:
    """Let the log link rows of ``object_type`` ("app_label.model") to their page.

    ``links`` gets the viewer and a page's object ids at once and answers only
    the ids the viewer may open (one scoped query), so a link never leads an
    outsider to a 404 and the page never queries per row. Registering a type
    again replaces it (``ready()`` may run more than once in tests).
    """
    _LINKS[object_type.lower()] = links


def register_type_label(object_type: str, label: Any) -> None:
    """Name a free-form object type (no model behind it) in the log, e.g. 数据看板."""
    _TYPE_LABELS[object_type.lower()] = label


def registered_links() -> dict[str, ObjectLinks]:
    return dict(_LINKS)


@dataclass(frozen=True)
class Change:
    """One field of an event: its Chinese label and the old and new value as text."""

    label: str
    old: str
    new: str
    created: bool = False  # no "before": only the new value is meaningful

    def __str__(self) -> str:
        if self.created:
            return f"{self.label}: {self.new}"
        return f"{self.label}: {self.old} → {self.new}"


@dataclass
class EventRow:
    """An event with everything the page and the export show about it."""

    event: AuditEvent
    type_label: str
    object_label: str
    changes: list[Change] = field(default_factory=list)
    url: str | None = None

    @property
    def changes_text(self) -> str:
        return "\n".join(str(c) for c in self.changes)


def model_for(object_type: str) -> type[models.Model] | None:
    """The model an ``object_type`` names, or None (a removed model, a free-form label)."""
    return _model_for(object_type.lower()) if object_type else None


@cache
def _model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    """The Chinese name of an object type (项目), the raw text when no model has it."""
    model = model_for(object_type)
    if model is not None:
        return str(model._meta.verbose_name)
    return str(_TYPE_LABELS.get(object_type.lower(), object_type))


def object_label(event: AuditEvent) -> str:
    """项目「天中动力电池组装项目」: the type's name and the object's name as it was written."""
    if event.action == AuditAction.EXPORT or not event.object_type:
        return event.object_repr
    name = event.object_repr or event.object_id
    return _("%(type)s “%(name)s”") % {"type": type_label(event.object_type), "name": name}


def object_type_choices(object_types: Iterable[str]) -> list[tuple[str, str]]:
    """The types present, by Chinese name, for the filter's select."""
    return sorted(((t, type_label(t)) for t in set(object_types) if t), key=lambda c: c[1])


def describe(events: Sequence[AuditEvent], user: Any) -> list[EventRow]:
    """A page of events, readable: a fixed number of queries whatever the page's length."""
    raw = [(event, _diff(event)) for event in events]
    names = _related_names(item for _event, diff in raw for item in diff)
    urls = _links(events, user)
    return [
        EventRow(
            event=event,
            type_label=type_label(event.object_type) if event.object_type else "",
            object_label=object_label(event),
            changes=[_change(item, names, created=event.before is None) for item in diff],
            url=urls.get((event.object_type.lower(), event.object_id)),
        )
        for event, diff in raw
    ]


@dataclass(frozen=True)
class _Item:
    key: str
    field: models.Field[Any, Any] | None
    old: Any
    new: Any


def _diff(event: AuditEvent) -> list[_Item]:
    """The keys whose values differ between before and after, secrets left out."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    model = model_for(event.object_type)
    items = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if old == new or _secret(key) or key in _SKIPPED or _stamp(model, key):
            continue
        if event.before is None and new in (None, "", [], {}):
            continue  # a new row's empty fields say nothing
        if key == "filters" and old is None and isinstance(new, dict):
            items.extend(_filter_items(model, new))
            continue
        items.append(_Item(key, _field(model, key), old, new))
    return items


def _filter_items(model: type[models.Model] | None, filters: dict[str, Any]) -> list[_Item]:
    """An export's filters one by one, labelled and valued like the fields they filter on."""
    return [
        _Item(f"filters.{key}", None if key in _CODE_FILTERS else _field(model, key), None, value)
        for key, value in filters.items()
        if value not in (None, "", [], {})
    ]


def _stamp(model: type[models.Model] | None, key: str) -> bool:
    """``created_at``/``updated_at``: kept by Django on every save, so no one changed them."""
    try:
        found = model._meta.get_field(key) if model is not None else None
    except FieldDoesNotExist:
        return False
    return bool(getattr(found, "auto_now", False) or getattr(found, "auto_now_add", False))


def _secret(key: str) -> bool:
    return key in SECRET_FIELDS or "secret" in key or key.endswith("hash")


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None  # a key a service wrote next to the fields ("people", "filters")
    return found if isinstance(found, models.Field) else None


def _related_names(items: Iterable[_Item]) -> dict[tuple[type[models.Model], str], str]:
    """``str()`` of every FK / M2M target the page names: one query per related model."""
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for item in items:
        if item.field is None or not item.field.is_relation or item.field.related_model is None:
            continue
        related = item.field.related_model
        assert not isinstance(related, str)  # resolved once the app registry is ready
        for value in (item.old, item.new):
            for one in value if isinstance(value, list) else [value]:
                if one not in (None, ""):
                    wanted[related].add(str(one))
    names: dict[tuple[type[models.Model], str], str] = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
            names[(related, str(obj.pk))] = str(obj)
    return names


def _change(
    item: _Item, names: dict[tuple[type[models.Model], str], str], *, created: bool
) -> Change:
    label = _label(item)
    return Change(
        label=label,
        old=format_value(item.field, item.old, names),
        new=format_value(item.field, item.new, names),
        created=created,
    )


def _label(item: _Item) -> str:
    key = item.key.removeprefix("filters.")
    name = str(item.field.verbose_name) if item.field is not None else None
    name = name or str(EXTRA_LABELS.get(key, key))
    return _("%(name)s (filter)") % {"name": name} if key != item.key else name


def format_value(
    fld: models.Field[Any, Any] | None,
    value: Any,
    names: dict[tuple[type[models.Model], str], str] | None = None,
) -> str:
    """A snapshot value as a reader expects it: 是/否, labels, names, dates, plain numbers."""
    if value is None or value == "" or value == []:
        return _("empty")
    if isinstance(value, list):
        return "、".join(format_value(fld, one, names) for one in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if fld is not None:
        return _field_value(fld, value, names or {})
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _field_value(
    fld: models.Field[Any, Any], value: Any, names: dict[tuple[type[models.Model], str], str]
) -> str:
    if fld.is_relation and fld.related_model is not None and not isinstance(fld.related_model, str):
        return names.get((fld.related_model, str(value)), f"#{value}")
    if fld.choices:
        return str(dict(fld.flatchoices).get(value, value))
    if isinstance(fld, models.DateTimeField):
        return _datetime(value)
    if isinstance(fld, models.DecimalField):
        return _decimal(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _datetime(value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


def _decimal(value: Any) -> str:
    """12.5000 → 12.5, 100.00 → 100 (never 1E+2)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _links(events: Sequence[AuditEvent], user: Any) -> dict[tuple[str, str], str]:
    """URLs of the page's objects the viewer may open: one call per registered type."""
    ids: dict[str, list[str]] = defaultdict(list)
    for event in events:
        kind = event.object_type.lower()
        if kind in _LINKS and event.object_id and event.action != AuditAction.DELETE:
            ids[kind].append(event.object_id)
    urls: dict[tuple[str, str], str] = {}
    for kind, wanted in ids.items():
        for object_id, url in _LINKS[kind](user, sorted(set(wanted))).items():
            urls[(kind, object_id)] = url
    return urls


def int_ids(ids: Collection[str]) -> list[int]:
    """The numeric ids of a page (others cannot be primary keys of an integer table)."""
    return [int(i) for i in ids if i.isdigit()]
