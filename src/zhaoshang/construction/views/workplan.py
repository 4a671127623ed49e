"""Pages of work plans (工作方案): all milestones, one project's plan, add/edit/complete, export.

Thin: parse, call a selector or service, render. A milestone or project the
user may not see is 404; a read-only role sees the pages without the forms
and gets 404 on a write URL (like the project pages).
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhaoshang.core.context import request_user
from zhaoshang.core.models import User
from zhaoshang.core.policy import Capability, can
from zhaoshang.core.selectors import get_visible_or_404
from zhaoshang.core.versions import ConflictError
from zhaoshang.core.web import (
    apply_errors,
    list_context,
    require_page,
    xlsx_response,
)
from zhaoshang.projects.models import Project
from zhaoshang.projects.selectors import projects_visible_to

from ..exports import export_milestones
from ..forms.workplan import CompleteForm, MilestoneFilterForm, MilestoneForm
from ..selectors import workplan as selectors
from ..services import workplan as services

PAGE_SIZE = 30
#: the milestone list's sortable columns (keys of ``MILESTONE_SORTS``)
MILESTONE_COLUMNS = ("project", "due", "status", "done")


@login_required
@require_GET
def milestone_list(request: HttpRequest) -> HttpResponse:
    """Every milestone of the projects the user may see, overdue ones highlighted."""
    user = request_user(request)
    form = MilestoneFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_bound else {}
    context = list_context(request, selectors.milestone_list(user, filters), MILESTONE_COLUMNS)
    selectors.mark_lateness(context["page"].object_list)
    return render(
        request,
        "construction/milestone_list.html",
        {
            **context,
            "form": form,
            "overdue_total": selectors.overdue_count(user),
            "can_write": can(user, Capability.WRITE),
        },
    )


@login_required
@require_GET
def milestone_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel (only rows the user may see); audited as an export."""
    user = request_user(request)
    form = MilestoneFilterForm(request.GET or None, user=user)
    buffer = io.BytesIO()
    export_milestones(user=user, filters=form.filters() if form.is_bound else {}, target=buffer)
    return xlsx_response(buffer, "milestones")


def _project_or_404(user: User, pk: int) -> Project:
    return get_visible_or_404(projects_visible_to(user).select_related("area"), pk=pk)


@login_required
def project_workplan(request: HttpRequest, pk: int) -> HttpResponse:
    """One project's work plan; a writer adds milestones here (POST)."""
    user = request_user(request)
    project = _project_or_404(user, pk)
    form = MilestoneForm(request.POST or None, user=user, area=project.area)
    if request.method == "POST":
        require_page(user, Capability.WRITE)
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
            "can_write": can(user, Capability.WRITE),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    milestone = selectors.milestone_or_404(user, pk)
    require_page(user, Capability.WRITE)
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
    require_page(user, Capability.WRITE)
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


@login_required
@require_POST
def milestone_done_today(request: HttpRequest, pk: int) -> HttpResponse:
    """The list's 完成 button: done today, so the list needs no date field per row.

    The hidden version guards against a row someone changed since the list was
    drawn; the service checks the area and writes the audit row. Back to the same
    filtered list (the query is appended to a fixed path, never a free URL).
    """
    user = request_user(request)
    milestone = selectors.milestone_or_404(user, pk)
    require_page(user, Capability.WRITE)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.milestone_complete(
            acting_user=user,
            milestone=milestone,
            done_date=timezone.localdate(),
            expected_version=version,
        )
    except ConflictError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Milestone %(title)s marked done.") % {"title": milestone.title}
        )
    query = request.POST.get("query", "").replace("\r", "").replace("\n", "")
    return redirect(
        f"{reverse('construction:milestone_list')}?{query}"
        if query
        else "construction:milestone_list"
    )
