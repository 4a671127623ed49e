"""Panels of 首页 "my work" that investment attraction fills (``core.navigation``).

Registered from ``ProjectsConfig.ready()``; each context reads this app's
selectors scoped to the user, in a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from zhaoshang.core.navigation import official, register_home_panel
from zhaoshang.core.policy import Capability, can

from . import selectors


def chain_panel(user: Any) -> dict[str, Any] | None:
    if not official(user):
        return None
    projects, total = selectors.my_chain_projects(user)
    return {"projects": projects, "total": total}


def stuck_panel(user: Any) -> dict[str, Any] | None:
    if not official(user):
        return None
    projects, total = selectors.stuck_projects(user)
    return {"projects": projects, "total": total}


def incomplete_chain_panel(user: Any) -> dict[str, Any] | None:
    if not official(user):
        return None
    return {
        "report": selectors.my_incomplete_chains(user),
        "can_write": can(user, Capability.WRITE),
    }


def register_home_panels() -> None:
    register_home_panel("my_chain", 10, "projects/home/_my_chain.html", chain_panel)
    register_home_panel("stuck", 30, "projects/home/_stuck.html", stuck_panel)
    register_home_panel(
        "incomplete_chains", 40, "projects/home/_incomplete_chains.html", incomplete_chain_panel
    )
