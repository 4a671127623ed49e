"""Reads of the approval catalogue and the area's settings."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, QuerySet, Value, When

from zhaoshang.core.models import Area
from zhaoshang.core.selectors import get_visible_or_404, scope_to_user

from ..choices import Phase
from ..models import ApprovalItemType, ApprovalSettings

CATALOGUE_SORTS = {
    "order": ("phase_rank", "order", "id"),
    "name": ("name", "id"),
    "-name": ("-name", "id"),
    "legal": ("legal_limit", "id"),
    "-legal": ("-legal_limit", "id"),
}


def types_visible_to(user: Any) -> QuerySet[ApprovalItemType]:
    return scope_to_user(ApprovalItemType.objects.all(), user, area_field="area")


def type_or_404(user: Any, pk: int) -> ApprovalItemType:
    return get_visible_or_404(types_visible_to(user).select_related("area", "department"), pk=pk)


def catalogue(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[ApprovalItemType]:
    """The catalogue items of the user's areas, by phase and order."""
    filters = filters or {}
    phase_rank = Case(
        *[When(phase=value, then=Value(n)) for n, value in enumerate(Phase.values)],
        default=Value(99),
    )
    rows = (
        types_visible_to(user).select_related("area", "department").annotate(phase_rank=phase_rank)
    )
    if filters.get("area"):
        rows = rows.filter(area=filters["area"])
    if filters.get("phase"):
        rows = rows.filter(phase=filters["phase"])
    if filters.get("active") in (True, False):
        rows = rows.filter(active=filters["active"])
    if filters.get("q"):
        rows = rows.filter(name__icontains=filters["q"])
    return rows.order_by(
        "area__path", *CATALOGUE_SORTS.get(filters.get("sort") or "", CATALOGUE_SORTS["order"])
    )


def settings_of(area: Area) -> ApprovalSettings:
    """The area's settings, or the defaults (2/3, 60 working days) unsaved when it has none."""
    found = ApprovalSettings.objects.filter(area=area).first()
    return found or ApprovalSettings(area=area)


def catalogue_area(area: Area) -> Area | None:
    """Whose catalogue a project of ``area`` uses: its own, else the nearest area above."""
    codes = Area.objects.filter(path__in=_prefixes(area.path)).values("pk")
    found = (
        ApprovalItemType.objects.filter(area__in=codes, active=True)
        .order_by("-area__path")
        .values_list("area_id", flat=True)
        .first()
    )
    return Area.objects.get(pk=found) if found else None


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(1, len(path) + 1)]
