"""Navigation shown on every page: only modules the user may open, and the unread alerts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import menu_for
from .policy import Capability, can, otp_required
from .selectors import unread_count


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if otp_required(user) and not user.is_verified():
        return {"nav_pending_step": True}  # nothing to navigate to until TOTP is done
    return {
        "nav_items": menu_for(user),
        "nav_can_audit": can(user, Capability.READ_AUDIT),
        "nav_can_admin": can(user, Capability.ADMINISTER),
        "nav_unread": unread_count(user),
    }
