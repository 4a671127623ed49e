"""The registry of alert kinds (提醒类别): core's own, and those other apps add.

``Alert.kind`` is a plain CharField, not a ``choices`` field, so a higher app
(approvals, supervision) can add a kind from its ``AppConfig.ready()`` without
a core migration; pages and exports ask this registry for the label and show
an unknown kind (one whose app was removed) as its code rather than failing.
"""

from __future__ import annotations

from django.utils.functional import Promise

from .choices import AlertKind

_LABELS: dict[str, str | Promise] = {kind.value: kind.label for kind in AlertKind}


def register_alert_kind(value: str, label: str | Promise) -> None:
    """Add (or relabel) a kind; ``value`` is stored in ``Alert.kind`` (≤ 32 characters)."""
    if not value or len(value) > 32 or "," in value:
        raise ValueError(f"alert kind {value!r}: 1-32 characters, no comma")
    _LABELS[value] = label


def alert_kind_label(value: str) -> str:
    """The kind's label in the active language; an unknown kind shows as its code."""
    label = _LABELS.get(value)
    return str(label) if label is not None else value


def alert_kind_choices() -> list[tuple[str, str]]:
    """Every registered kind as form choices, in registration order."""
    return [(value, str(label)) for value, label in _LABELS.items()]
