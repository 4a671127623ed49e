from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from ..choices import AuditAction, AuditResult
from ..context import current_ip
from ..models import Area, AuditEvent, User
from ..snapshots import snapshot


def _area_of(instance: models.Model | None) -> Area | None:
    if isinstance(instance, Area):
        return instance
    return getattr(instance, "area", None) if instance is not None else None


def audit_record(
    *,
    acting_user: User | None,
    action: str,
    instance: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    result: str = AuditResult.SUCCESS,
    username: str = "",
    area: Area | None = None,
    object_type: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one audit row. Callers run it inside their own write's transaction.

    The row's area is the object's area when it has one, so the supervisors of
    the area a change touched can see it, else the acting user's area.
    """
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_repr = object_repr or str(instance)
    event = AuditEvent(
        at=timezone.now(),
        user=acting_user,
        username=username or (acting_user.get_username() if acting_user else "system"),
        area=area or _area_of(instance) or (acting_user.area if acting_user else None),
        ip=current_ip.get(),
        action=action,
        object_type=object_type,
        object_id=str(instance.pk) if instance is not None and instance.pk is not None else "",
        object_repr=object_repr[:200],
        before=before,
        after=after,
        result=result,
    )
    event.save(force_insert=True)
    return event


def record_saved(
    *, acting_user: User | None, instance: models.Model, before: dict[str, Any] | None
) -> None:
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=instance,
        before=before,
        after=snapshot(instance),
    )


def stored_snapshot(instance: models.Model) -> dict[str, Any] | None:
    """The stored row as it is now, or None for a new row."""
    if instance._state.adding or instance.pk is None:
        return None
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    return snapshot(stored) if stored is not None else None


def export_record(
    *, acting_user: User, object_type: str, description: str, filters: dict[str, Any], rows: int
) -> None:
    """Every export leaves a trace of who took what out of the system."""
    audit_record(
        acting_user=acting_user,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_repr=description,
        after={"filters": filters, "rows": rows},
    )
