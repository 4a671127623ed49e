"""Who may import, into which areas, and which jobs they may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from zhaoshang.core.models import Area
from zhaoshang.core.policy import Capability, can
from zhaoshang.core.selectors import areas_visible_to, get_visible_or_404, scope_to_user

from .models import ImportJob


def import_areas_for(user: Any) -> QuerySet[Area]:
    """Areas a user may import into: those they can see, if they may import at all."""
    if not can(user, Capability.IMPORT):
        return Area.objects.none()
    return areas_visible_to(user).order_by("path")


def jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    if not can(user, Capability.IMPORT):
        return ImportJob.objects.none()
    return scope_to_user(ImportJob.objects.select_related("area", "uploaded_by"), user)


def job_visible_or_404(user: Any, pk: int) -> ImportJob:
    return get_visible_or_404(jobs_visible_to(user), pk=pk)


def recent_jobs(user: Any, limit: int = 20) -> list[ImportJob]:
    return list(jobs_visible_to(user).order_by("-created_at", "-id")[:limit])
