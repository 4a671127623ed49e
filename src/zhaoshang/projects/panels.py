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

from django.urls import reverse

from zhaoshang.core.audit_display import int_ids, register_object_links
from zhaoshang.core.models import User

from . import selectors
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


def _linked(queryset: Any, url_name: str, ids: list[str]) -> dict[str, str]:
    """{id: detail URL} for the ids found in an already-scoped queryset (one query)."""
    found = queryset.filter(pk__in=int_ids(ids)).values_list("pk", flat=True)
    return {str(pk): reverse(url_name, args=[pk]) for pk in found}


def register_audit_links() -> None:
    """Called from ``ProjectsConfig.ready()``: the audit log links projects and enterprises."""
    register_object_links(
        "projects.project",
        lambda user, ids: _linked(
            selectors.projects_visible_to(user), "projects:project_detail", ids
        ),
    )
    register_object_links(
        "projects.enterprise",
        lambda user, ids: _linked(
            selectors.enterprises_visible_to(user), "projects:enterprise_detail", ids
        ),
    )
