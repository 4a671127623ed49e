"""The latest-imports panel of 首页 "my work" (``core.navigation``'s home-panel registry)."""

from __future__ import annotations

from typing import Any

from zhaoshang.core.navigation import register_home_panel
from zhaoshang.core.policy import Capability, can

from .selectors import recent_jobs

HOME_JOBS = 5


def latest_imports_panel(user: Any) -> dict[str, Any] | None:
    """The area's last imports (who loaded what, did it succeed); only for roles that import."""
    if not can(user, Capability.IMPORT):
        return None
    return {"jobs": recent_jobs(user, HOME_JOBS)}


def register_home_panels() -> None:
    register_home_panel("latest_imports", 50, "imports/home/_latest.html", latest_imports_panel)
