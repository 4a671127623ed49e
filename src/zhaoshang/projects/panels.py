"""Panels that apps above ``projects`` add to the project page (a registry this app owns).

The project page must show key-list entries, monthly investment and the work
plan, which belong to ``construction`` — an app above this one, which
``projects`` may not import. So ``projects`` owns the list and higher apps fill
it from their ``AppConfig.ready()``, as ``imports.kinds`` lists import kinds.
A panel is a template and a function giving its context; the context is merged
into the page's, so a panel's keys carry its own prefix (``inv_``, ``workplan_``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zhaoshang.core.models import User

from .models import Project

PanelContext = Callable[[User, Project, dt.date], dict[str, Any]]


@dataclass(frozen=True)
class ProjectPanel:
    key: str  # unique name; registering the same key again replaces it (autoreload-safe)
    template: str  # included on the project page after the project's own sections
    context: PanelContext  # reads through scoped selectors; the user already sees the project


PROJECT_PANELS: dict[str, ProjectPanel] = {}


def register_project_panel(panel: ProjectPanel) -> None:
    PROJECT_PANELS[panel.key] = panel


def project_panels(user: User, project: Project, today: dt.date) -> dict[str, Any]:
    """Every registered panel's context, merged, and ``panel_templates`` in registration order."""
    context: dict[str, Any] = {"panel_templates": []}
    for panel in PROJECT_PANELS.values():
        context.update(panel.context(user, project, today))
        context["panel_templates"].append(panel.template)
    return context
