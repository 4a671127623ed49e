"""Pages of investment attraction: project ledger, detail, stage moves, activities,
evidence, enterprises and the two reports. Thin: parse, call a selector or service, render.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhaoshang.core.context import request_user
from zhaoshang.core.policy import Capability, can, investor_only, is_official
from zhaoshang.core.selectors import get_visible_or_404
from zhaoshang.core.versions import ConflictError
from zhaoshang.core.web import (
    apply_errors,
    list_context,
    require_page,
    xlsx_response,
)

from . import keylevels, selectors, services
from .choices import Stage
from .files import kept_only_if_committed
from .forms import (
    ActivityForm,
    AttachmentForm,
    ChainReportForm,
    DataQualityFilterForm,
    EnterpriseForm,
    LinkForm,
    ProjectFilterForm,
    ProjectForm,
    TransitionForm,
)
from .lifecycle import PROJECT
from .models import Enterprise, Project
from .panels import project_panels

PAGE_SIZE = 30
#: the incomplete-chain report's sortable columns (keys of ``selectors.CHAIN_SORTS``)
CHAIN_COLUMNS = ("name", "area", "stage")
#: the 资料待补 page's sortable columns (keys of ``selectors.INCOMPLETE_SORTS``)
INCOMPLETE_COLUMNS = ("code", "name", "area", "stage")
#: the ledger's sortable columns (keys of ``selectors.SORTS``)
LEDGER_COLUMNS = ("code", "name", "stage", "investment", "progress")
ENTERPRISE_COLUMNS = ("name", "capital", "area")


# --- projects --------------------------------------------------------------------


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ProjectFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_bound else {}
    projects = selectors.project_list(user, filters)
    context = list_context(request, projects, LEDGER_COLUMNS, PAGE_SIZE)
    return render(
        request,
        "projects/project_list.html",
        {
            **context,
            "form": form,
            "rows": [(p, selectors.is_stuck(p)) for p in context["page"]],
            "totals": selectors.project_totals(projects),
            "can_write": can(user, Capability.WRITE),
            "year": keylevels.year_or_current(filters.get("year")),
        },
    )


@login_required
@require_GET
def project_export(request: HttpRequest) -> HttpResponse:
    """The ledger as Excel, honouring the list's filters (only rows the user may see)."""
    import io

    from .exports import export_projects

    user = request_user(request)
    form = ProjectFilterForm(request.GET or None, user=user)
    buffer = io.BytesIO()
    export_projects(user=user, filters=form.filters() if form.is_bound else {}, target=buffer)
    return xlsx_response(buffer, "projects")


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    require_page(request.user, Capability.WRITE)
    user = request_user(request)
    form = ProjectForm(
        request.POST or None, user=user, initial={"area": user.area, "method": "other"}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            project = services.project_create(
                acting_user=user,
                area=data.pop("area"),
                name=data.pop("name"),
                trackers=data.pop("trackers"),
                cooperating_units=data.pop("cooperating_units"),
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Project created."))
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    project = selectors.project_detail_or_404(user, pk)
    require_page(request.user, Capability.WRITE)
    form = ProjectForm(request.POST or None, instance=project, user=user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("area", "version")}
        try:
            services.project_update(
                acting_user=user,
                project=project,
                expected_version=form.cleaned_data["version"],
                trackers=data.pop("trackers"),
                cooperating_units=data.pop("cooperating_units"),
                **data,
            )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Project saved."))
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    year = keylevels.year_or_current(request.GET.get("year"))
    project = selectors.project_page_or_404(user, pk, year)
    return render(
        request, "projects/project_detail.html", _detail_context(user, project, year=year)
    )


def _page_project(user: Any, pk: int) -> Project:
    """The project as the page reads it (stage moves, this year's level), read afresh
    for a form shown again with its errors."""
    return selectors.project_page_or_404(user, pk, timezone.localdate().year)


def _detail_context(
    user: Any, project: Project, *, year: int | None = None, **forms: Any
) -> dict[str, Any]:
    """The project page, with the panels higher apps add (key lists, investment, work plan);
    ``project`` as ``selectors.project_page_or_404`` reads it.

    ``year``: the year whose key-project level the facts show (default this year).
    """
    today = timezone.localdate()
    year = year or today.year
    return {
        **project_panels(user, project, today),
        "project": project,
        "key_year": year,
        "key_level_label": keylevels.key_level_label(keylevels.key_level_of(project, year)),
        "stuck": selectors.is_stuck(project),
        "next_needs": selectors.next_stage_needs(project),
        "missing_data": selectors.missing_labels(project),
        "stages": [(Stage(s).label, d) for s, d in selectors.time_in_stages(project, today)],
        "timeline": selectors.timeline(project),
        "chain_gaps": selectors.chain_gaps(project),
        "key_level_history": selectors.key_level_history(project),
        "attachments": project.attachments.all(),
        "can_write": can(user, Capability.WRITE),
        "transition_form": forms.get("transition_form")
        or TransitionForm(
            initial={"event_date": today, "version": project.version},
            options=stage_options(project),
        ),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "stuck_days": settings.ZHAOSHANG_STUCK_DAYS,
    }


@login_required
@require_POST
def project_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    project = selectors.project_detail_or_404(user, pk)
    require_page(request.user, Capability.WRITE)
    form = TransitionForm(request.POST, request.FILES, options=stage_options(project))
    if form.is_valid():
        data = form.cleaned_data
        try:
            with kept_only_if_committed() as stored, transaction.atomic():
                evidence = None
                if data["evidence"]:
                    evidence = services.attachment_add(
                        acting_user=user,
                        project=project,
                        name=data["evidence"].name,
                        content=data["evidence"].read(),
                    )
                    stored.append(evidence)
                services.project_transition(
                    acting_user=user,
                    project=project,
                    to_stage=data["to_stage"],
                    event_date=data["event_date"],
                    note=data["note"],
                    reason=data["reason"],
                    evidence=evidence,
                    expected_version=data["version"],
                    contract_date=data["contract_date"],
                    contracted_amount=data["contracted_amount"],
                    start_date=data["start_date"],
                )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Stage changed to %(stage)s.") % {"stage": Stage(data["to_stage"]).label}
            )
            return redirect("projects:project_detail", pk=project.pk)
    return render(
        request,
        "projects/project_detail.html",
        _detail_context(user, _page_project(user, pk), transition_form=form),
        status=400,
    )


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    project = selectors.project_detail_or_404(user, pk)
    require_page(request.user, Capability.WRITE)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.attachment_add(
                acting_user=user, project=project, name=upload.name, content=upload.read()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("File uploaded."))
            return redirect("projects:project_detail", pk=project.pk)
    return render(
        request,
        "projects/project_detail.html",
        _detail_context(user, _page_project(user, pk), attachment_form=form),
        status=400,
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.attachment_visible_or_404(request_user(request), pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    project = selectors.project_detail_or_404(user, pk)
    require_page(request.user, Capability.WRITE)
    form = ActivityForm(
        request.POST or None, user=user, initial={"date": timezone.localdate(), "days": 1}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.activity_create(
                acting_user=user,
                area=project.area,
                project=project,
                people=data.pop("people"),
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Activity recorded."))
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/activity_form.html", {"form": form, "project": project})


# --- reports -----------------------------------------------------------------------


def _chain_year(request: HttpRequest) -> tuple[ChainReportForm, int]:
    form = ChainReportForm(request.GET or None)
    return form, keylevels.year_or_current(form.filters().get("year") if form.is_bound else None)


@login_required
@require_GET
def chain_report(request: HttpRequest) -> HttpResponse:
    """Key projects of a year (``?year=``, default this year) whose chain is incomplete."""
    form, year = _chain_year(request)
    report = selectors.incomplete_chains(request_user(request), year, request.GET.get("sort", ""))
    context = list_context(request, report, CHAIN_COLUMNS, PAGE_SIZE)
    return render(
        request,
        "projects/chain_report.html",
        {**context, "report": context["page"], "form": form, "year": year},
    )


@login_required
@require_GET
def chain_report_export(request: HttpRequest) -> HttpResponse:
    import io

    from .exports import export_incomplete_chains

    _form, year = _chain_year(request)
    buffer = io.BytesIO()
    export_incomplete_chains(user=request_user(request), year=year, target=buffer)
    return xlsx_response(buffer, f"incomplete-chains-{year}")


def _data_quality_filters(
    request: HttpRequest,
) -> tuple[Any, DataQualityFilterForm, dict[str, Any]]:
    user = request_user(request)
    if not is_official(user):
        raise Http404  # an investor has no areas to check
    form = DataQualityFilterForm(request.GET or None, user=user)
    return user, form, form.filters() if form.is_bound else {}


def stage_options(project: Project) -> list[tuple[str, str]]:
    """The stage form's choices: the legal moves only, the next stage first."""
    return [(stage, PROJECT.label(stage)) for stage in PROJECT.move_options(project)]


@login_required
@require_GET
def investor_home(request: HttpRequest) -> HttpResponse:
    """The investor's landing page: their enterprise's projects, each linking to its progress."""
    user = request_user(request)
    if not investor_only(user):
        raise Http404  # staff have the ledger; this page is the investor's
    projects = list(selectors.investor_projects(user)[:PAGE_SIZE])
    return render(request, "projects/investor_home.html", {"projects": projects})


@login_required
@require_GET
def data_quality(request: HttpRequest) -> HttpResponse:
    """资料待补项目: every project of the user's areas past a gate without its data."""
    user, form, filters = _data_quality_filters(request)
    context = list_context(
        request, selectors.incomplete_projects(user, filters), INCOMPLETE_COLUMNS, PAGE_SIZE
    )
    rows = [(p, selectors.missing_labels(p)) for p in context["page"]]
    return render(request, "projects/data_quality.html", {**context, "form": form, "rows": rows})


@login_required
@require_GET
def data_quality_export(request: HttpRequest) -> HttpResponse:
    import io

    from .exports import export_incomplete

    user, _form, filters = _data_quality_filters(request)
    buffer = io.BytesIO()
    export_incomplete(user=user, filters=filters, target=buffer)
    return xlsx_response(buffer, "data-quality")


@login_required
@require_GET
def leader_report(request: HttpRequest) -> HttpResponse:
    """“二分之一”工作法: leaders' investment-activity days vs working days in a month."""
    today = timezone.localdate()
    raw = request.GET.get("month") or f"{today:%Y-%m}"
    try:
        month = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        messages.error(request, _("Month must look like 2026-11."))
        month = today.replace(day=1)
    try:
        rows = selectors.leader_activity_days(request_user(request), month.year, month.month)
        error = ""
    except ValidationError as exc:
        rows, error = [], " ".join(exc.messages)
    return render(
        request,
        "projects/leader_report.html",
        {"rows": rows, "month": month, "error": error, "this_month": today},
    )


# --- enterprises ---------------------------------------------------------------------


@login_required
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    q = request.GET.get("q", "").strip()[:100]
    enterprises = selectors.enterprise_list(user, q, request.GET.get("sort", ""))
    return render(
        request,
        "projects/enterprise_list.html",
        {
            **list_context(request, enterprises, ENTERPRISE_COLUMNS, PAGE_SIZE),
            "q": q,
            "can_write": can(user, Capability.WRITE),
        },
    )


@login_required
def enterprise_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    enterprise = (
        get_visible_or_404(selectors.enterprises_visible_to(user), pk=pk)
        if pk
        else Enterprise(area=user.area)
    )
    require_page(request.user, Capability.WRITE)
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=user)
    if request.method == "POST" and form.is_valid():
        for field, value in form.cleaned_data.items():
            if field != "area" or not enterprise.pk:
                setattr(enterprise, field, value)
        try:
            services.enterprise_save(acting_user=user, enterprise=enterprise)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Enterprise saved."))
            return redirect("projects:enterprise_detail", pk=enterprise.pk)
    return render(
        request,
        "projects/enterprise_form.html",
        {"form": form, "enterprise": enterprise if pk else None},
    )


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    enterprise = get_visible_or_404(selectors.enterprises_visible_to(user), pk=pk)
    form = LinkForm(request.POST or None, user=user)
    if request.method == "POST":
        require_page(request.user, Capability.WRITE)
        if form.is_valid():
            try:
                services.enterprise_link_add(
                    acting_user=user,
                    source=enterprise,
                    target=form.cleaned_data["target"],
                    kind=form.cleaned_data["kind"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Link added."))
                return redirect("projects:enterprise_detail", pk=enterprise.pk)
    return render(
        request,
        "projects/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "form": form,
            "can_write": can(user, Capability.WRITE),
            **selectors.enterprise_links(user, enterprise),
            "projects": selectors.projects_visible_to(user).filter(investor=enterprise),
        },
    )
