"""Optimistic locking: a row with a ``version`` is written only if nobody changed it since.

Projects, milestones and reserve items carry ``version`` and ``updated_at``; a
write names the version the caller read. A stale one raises ``ConflictError``
(HTTP 409, a form-wide error on pages) and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _


class ConflictError(Exception):
    """The row changed since the caller read it (stale ``version``): HTTP 409."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _(
                "This record was changed by someone else (now version %(v)d). "
                "Reload it and apply your change again."
            )
            % {"v": current_version}
        )
        self.current_version = current_version


def bump_version(row: models.Model, expected_version: int | None, **values: Any) -> None:
    """Write ``values`` to ``row`` only if its version is still ``expected_version``.

    One conditional UPDATE, so two concurrent writers cannot both pass the check;
    ``expected_version=None`` means "the version I hold".
    """
    model = type(row)
    current = row.version  # type: ignore[attr-defined]
    version = current if expected_version is None else expected_version
    updated = model._default_manager.filter(pk=row.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    if not updated:
        raise ConflictError(model._default_manager.values_list("version", flat=True).get(pk=row.pk))
    row.version = version + 1  # type: ignore[attr-defined]
