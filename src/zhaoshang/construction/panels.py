"""What project construction adds to the project page (``projects.panels``' registry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from zhaoshang.core.audit_display import ObjectLinks, int_ids, register_object_links
from zhaoshang.core.models import User
from zhaoshang.projects.keylevels import KeyLevelSource, register_key_level_source
from zhaoshang.projects.models import Project
from zhaoshang.projects.panels import ProjectPanel, register_project_panel

from .selectors import capital as capital_selectors
from .selectors import investment as investment_selectors
from .selectors import reserve as reserve_selectors
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


def _via_project(queryset: Any, ids: list[str]) -> dict[str, str]:
    """{id: its project's page} for rows of a scoped queryset (a row's project shares its area)."""
    found = queryset.filter(pk__in=int_ids(ids)).values_list("pk", "project_id")
    return {str(pk): reverse("projects:project_detail", args=[project]) for pk, project in found}


def _reserve(user: User, ids: list[str]) -> dict[str, str]:
    found = reserve_selectors.reserve_visible_to(user).filter(pk__in=int_ids(ids))
    pks = found.values_list("pk", flat=True)
    return {str(pk): reverse("construction:reserve_detail", args=[pk]) for pk in pks}


def register_audit_links() -> None:
    """Called from ``ConstructionConfig.ready()``: the audit log links to what it names."""
    register_object_links("construction.reserveitem", _reserve)
    for object_type, rows in (
        ("construction.keyprojectentry", investment_selectors.entries_visible_to),
        ("construction.monthlyinvestment", investment_selectors.reports_visible_to),
        ("construction.milestone", workplan_selectors.milestones_visible_to),
        ("construction.paidincapital", capital_selectors.capital_visible_to),
    ):
        register_object_links(object_type, _project_links(rows))


def _project_links(rows: Callable[[Any], QuerySet[Any]]) -> ObjectLinks:
    def links(user: Any, ids: list[str]) -> dict[str, str]:
        return _via_project(rows(user), ids)

    return links
