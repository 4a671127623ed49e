"""What project construction adds to the project page (``projects.panels``' registry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhaoshang.core.models import User
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
