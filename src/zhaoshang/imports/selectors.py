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


#: ``sort`` values of the job list and the ordering each means (anything else: newest first)
JOB_SORTS: dict[str, tuple[str, ...]] = {
    "time": ("created_at", "id"),
    "-time": ("-created_at", "-id"),
    "file": ("file_name", "-created_at"),
    "-file": ("-file_name", "-created_at"),
    "area": ("area__path", "-created_at"),
    "-area": ("-area__path", "-created_at"),
    "status": ("status", "-created_at"),
    "-status": ("-status", "-created_at"),
    "errors": ("error_count", "-created_at"),
    "-errors": ("-error_count", "-created_at"),
}


def job_list(user: Any, sort: str = "") -> QuerySet[ImportJob]:
    """Every job the user may see, sorted by a key of ``JOB_SORTS``; one query a page."""
    return jobs_visible_to(user).order_by(*JOB_SORTS.get(sort, JOB_SORTS["-time"]))
