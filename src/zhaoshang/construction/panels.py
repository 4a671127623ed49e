"""What project construction adds to the project page (``projects.panels``' registry)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from zhaoshang.core.models import User
from zhaoshang.projects.keylevels import KeyLevelSource, register_key_level_source
from zhaoshang.projects.models import Project
from zhaoshang.projects.panels import ProjectPanel, register_project_panel

from .selectors import capital as capital_selectors
from .selectors import investment as investment_selectors
from .selectors import workplan as workplan_selectors


def _milestones(user: User, project: Project, today: dt.date) -> dict[str, Any]:
    return {"workplan_milestones": workplan_selectors.project_milestones(project, today)}


def _investment(user: User, project: Project, today: dt.date) -> dict[str, Any]:
    return investment_selectors.project_investment(user, project)


def _capital(user: User, project: Project, today: dt.date) -> dict[str, Any]:
    return capital_selectors.project_capital(user, project, today.year, today=today)


def register_panels() -> None:
    """Called from ``ConstructionConfig.ready()``: investment, 到位资金, then the work plan."""
    register_project_panel(
        ProjectPanel("investment", "construction/_project_investment.html", _investment)
    )
    register_project_panel(ProjectPanel("capital", "construction/_project_capital.html", _capital))
    register_project_panel(
        ProjectPanel("workplan", "construction/_project_milestones.html", _milestones)
    )


def _key_list_url(project: Project, year: int, level: str) -> str:
    query = urlencode({"year": year, "level": level, "q": project.code or project.name})
    return f"{reverse('construction:keylist')}?{query}"


def register_key_levels() -> None:
    """Called from ``ConstructionConfig.ready()``: a project's level in a year is its lists'."""
    register_key_level_source(
        KeyLevelSource(
            level_expression=investment_selectors.top_level_of_year,
            history=investment_selectors.key_level_history,
            list_url=_key_list_url,
        )
    )
