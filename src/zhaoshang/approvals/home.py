"""The approvals panel of 首页 "my work" (``core.navigation``'s home-panel registry)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from zhaoshang.core.navigation import official, register_home_panel

from . import selectors


def my_items_panel(user: Any) -> dict[str, Any] | None:
    """Items the user is 代办员 of, and every item of the user's areas due within 5 working days."""
    if not official(user):
        return None
    items, total = selectors.my_items(user, today=timezone.localdate())
    return {"items": items, "total": total, "days": selectors.DUE_SOON_WORKING_DAYS}


def register_home_panels() -> None:
    register_home_panel("approval_items", 25, "approvals/home/_my_items.html", my_items_panel)
