"""Pages of work plans (工作方案): all milestones, one project's plan, add/edit/complete, export.

Thin: parse, call a selector or service, render. A milestone or project the
user may not see is 404; a read-only role sees the pages without the forms
and gets 404 on a write URL (like the project pages).
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhaoshang.core.context import request_user
from zhaoshang.core.models import User
from zhaoshang.core.selectors import get_visible_or_404
from zhaoshang.core.services import export_record
from zhaoshang.core.web import apply_errors, query_without_page
from zhaoshang.core.xlsx import write_table
from zhaoshang.projects.models import Project
from zhaoshang.projects.selectors import can_write, projects_visible_to, require_writer
from zhaoshang.projects.services import ConflictError

from ..forms.workplan import CompleteForm, MilestoneFilterForm, MilestoneForm
from ..models import Milestone
from ..selectors import workplan as selectors
from ..services import workplan as services

PAGE_SIZE = 30
EXPORT_SHEET = "工作方案节点"
#: Fixed words of the export (a file format, the same whatever the UI language).
EXPORT_HEADERS = [
    "项目名称",
    "所属区域",
    "工作节点",
    "完成时限",
    "分包领导",
    "责任单位",
    "责任人",
    "状态",
    "完成日期",
    "是否逾期",
    "备注",
]
STATUS_WORDS = {"planned": "未开始", "in_progress": "推进中", "done": "已完成"}


@login_required
@require_GET
def milestone_list(request: HttpRequest) -> HttpResponse:
    """Every milestone of the projects the user may see, overdue ones highlighted."""
    user = request_user(request)
    form = MilestoneFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_bound else {}
    page = Paginator(selectors.milestone_list(user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "construction/milestone_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "overdue_total": selectors.overdue_count(user),
        },
    )


@login_required
@require_GET
def milestone_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel (only rows the user may see); audited as an export."""
    user = request_user(request)
    form = MilestoneFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_bound else {}
    rows = selectors.milestone_list(user, filters)
    buffer = io.BytesIO()
    count = write_table(
        buffer,
        sheet=EXPORT_SHEET,
        headers=EXPORT_HEADERS,
        rows=(_export_row(m) for m in rows.iterator(chunk_size=2000)),
    )
    export_record(
        acting_user=user,
        object_type="construction.milestone",
        description=EXPORT_SHEET,
        filters={k: getattr(v, "pk", v) for k, v in filters.items()},
        rows=count,
    )
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="milestones-{stamp}.xlsx"'
    return response


def _export_row(m: Milestone) -> tuple[Any, ...]:
    return (
        m.project.name,
        m.area.name,
        m.title,
        m.due_date,
        str(m.leader) if m.leader else None,
        m.unit.name if m.unit else None,
        m.responsible_person or None,
        STATUS_WORDS.get(m.status, m.status),
        m.done_date,
        "是" if getattr(m, "is_overdue", False) else "否",
        m.note or None,
    )


def _project_or_404(user: User, pk: int) -> Project:
    return get_visible_or_404(projects_visible_to(user).select_related("area"), pk=pk)


@login_required
def project_workplan(request: HttpRequest, pk: int) -> HttpResponse:
    """One project's work plan; a writer adds milestones here (POST)."""
    user = request_user(request)
    project = _project_or_404(user, pk)
    form = MilestoneForm(request.POST or None, user=user, area=project.area)
    if request.method == "POST":
        require_writer(user)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.milestone_create(acting_user=user, project=project, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Milestone added."))
                return redirect("construction:project_workplan", pk=project.pk)
    milestones = selectors.project_milestones(project)
    return render(
        request,
        "construction/workplan_project.html",
        {
            "project": project,
            "milestones": milestones,
            "summary": selectors.plan_summary(milestones),
            "form": form,
            "complete_form": CompleteForm(initial={"done_date": timezone.localdate()}),
            "can_write": can_write(user),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    milestone = selectors.milestone_or_404(user, pk)
    require_writer(user)
    form = MilestoneForm(
        request.POST or None, instance=milestone, user=user, area=milestone.project.area
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.milestone_update(
                acting_user=user,
                milestone=milestone,
                expected_version=form.cleaned_data["version"],
                **data,
            )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Milestone saved."))
            return redirect("construction:project_workplan", pk=milestone.project_id)
    return render(
        request,
        "construction/milestone_form.html",
        {"form": form, "milestone": milestone, "project": milestone.project},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def milestone_complete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    milestone = selectors.milestone_or_404(user, pk)
    require_writer(user)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_complete(
                acting_user=user,
                milestone=milestone,
                done_date=form.cleaned_data["done_date"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Milestone marked done."))
    else:
        messages.error(request, _("Give the date the milestone was done."))
    return redirect("construction:project_workplan", pk=milestone.project_id)
