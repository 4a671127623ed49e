"""The work-plan panel of 首页 "my work" (``core.navigation``'s home-panel registry)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from zhaoshang.core.choices import RoleCode
from zhaoshang.core.navigation import official, register_home_panel

from .selectors import workplan as selectors


def due_milestones_panel(user: Any) -> dict[str, Any] | None:
    """Milestones the user leads or answers for; an investment officer (专班干部)
    follows every milestone of the area, so theirs is the whole area's list."""
    if not official(user):
        return None
    whole_area = bool(user.has_role(RoleCode.STAFF))
    today = timezone.localdate()
    milestones, total = selectors.my_due_milestones(user, whole_area=whole_area, today=today)
    return {
        "milestones": milestones,
        "total": total,
        "whole_area": whole_area,
        "days": selectors.DUE_SOON_WORKING_DAYS,
    }


def register_home_panels() -> None:
    register_home_panel(
        "due_milestones", 20, "construction/home/_due_milestones.html", due_milestones_panel
    )
