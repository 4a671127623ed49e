"""What agency approvals add to the project page (``projects.panels``) and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from zhaoshang.core.audit_display import int_ids, register_object_links
from zhaoshang.core.models import User
from zhaoshang.projects.models import Project
from zhaoshang.projects.panels import ProjectPanel, register_project_panel

from . import selectors
from .models import ApprovalItem


def _approvals(user: User, project: Project, today: dt.date) -> dict[str, Any]:
    """The plan's lights in one query (no bars): the tracker page has the details."""
    items = list(
        selectors.with_light(ApprovalItem.objects.filter(project=project), today)
        .select_related("item_type", "agent")
        .order_by("order", "id")
    )
    counts: dict[str, int] = {}
    for item in items:
        counts[item.live_light] = counts.get(item.live_light, 0) + 1  # type: ignore[attr-defined]
    return {"approval_items": items, "approval_lights": counts}


def register_panels() -> None:
    """Called from ``ApprovalsConfig.ready()``: the plan's summary and a link to its tracker."""
    register_project_panel(ProjectPanel("approvals", "approvals/_project_panel.html", _approvals))


def _item_links(user: Any, ids: list[str]) -> dict[str, str]:
    found = selectors.items_visible_to(user).filter(pk__in=int_ids(ids))
    return {
        str(pk): reverse("approvals:project", args=[project])
        for pk, project in found.values_list("pk", "project_id")
    }


def _type_links(user: Any, ids: list[str]) -> dict[str, str]:
    found = selectors.types_visible_to(user).filter(pk__in=int_ids(ids))
    return {
        str(pk): reverse("approvals:type_edit", args=[pk])
        for pk in found.values_list("pk", flat=True)
    }


def register_audit_links() -> None:
    register_object_links("approvals.approvalitem", _item_links)
    register_object_links("approvals.approvalitemtype", _type_links)
