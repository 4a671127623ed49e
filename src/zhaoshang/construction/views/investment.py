"""Pages of key-project lists and monthly investment. Thin: parse, call, render.

Everything is scoped to the user (another area's entry or project is 404);
write actions need ``projects.selectors.can_write``.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhaoshang.core.context import request_user
from zhaoshang.core.policy import Capability, can
from zhaoshang.core.web import (
    apply_errors,
    list_context,
    require_page,
    xlsx_response,
)
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.selectors import projects_visible_to

from ..exports import export_keylist
from ..forms.investment import KeyEntryEditForm, KeyEntryForm, KeyListFilterForm, MonthReportForm
from ..selectors import investment as selectors
from ..services import investment as services

PAGE_SIZE = 50
#: the key list's sortable columns (keys of ``selectors.SORTS``)
KEYLIST_COLUMNS = ("area", "code", "name", "level", "plan", "ytd")


def _list_context(request: HttpRequest) -> tuple[KeyListFilterForm, dict[str, Any]]:
    form = KeyListFilterForm(request.GET or None)
    filters = form.filters()
    filters.setdefault("through", selectors.default_through(filters["year"]))
    return form, filters


@login_required
@require_GET
def keylist(request: HttpRequest) -> HttpResponse:
    """重点项目清单: one year's lists with plan, YTD, completion % and a totals row."""
    user = request_user(request)
    form, filters = _list_context(request)
    entries = selectors.key_list(user, filters)
    context = list_context(request, entries, KEYLIST_COLUMNS, PAGE_SIZE)
    rows = [(e, selectors.completion_pct(e.ytd, e.planned_investment)) for e in context["page"]]  # type: ignore[attr-defined]
    totals = selectors.list_totals(
        entries, year=filters["year"], through=filters["through"], level=filters.get("level")
    )
    return render(
        request,
        "construction/keylist_list.html",
        {
            **context,
            "form": form,
            "rows": rows,
            "totals": totals,
            "year": filters["year"],
            "through": filters["through"],
            "can_write": can(user, Capability.WRITE),
        },
    )


@login_required
@require_GET
def keylist_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel (only rows the user may see); the export is audited."""
    _form, filters = _list_context(request)
    buffer = io.BytesIO()
    export_keylist(user=request_user(request), filters=filters, target=buffer)
    return xlsx_response(buffer, "key-projects")


#: stages a project can be in when it joins a key list
LISTABLE = (Stage.NEGOTIATION, Stage.SIGNED, Stage.LANDED, Stage.CONSTRUCTION, Stage.PRODUCTION)


@login_required
def keylist_add(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_page(request.user, Capability.WRITE)
    projects = (
        projects_visible_to(user)
        .filter(stage__in=LISTABLE)
        .select_related("area")
        .order_by("area__path", "name")
    )
    initial: dict[str, Any] = {"year": timezone.localdate().year}
    if request.GET.get("project"):
        initial["project"] = request.GET["project"]
    form = KeyEntryForm(request.POST or None, projects=projects, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.key_entry_add(
                acting_user=user,
                project=data["project"],
                year=data["year"],
                level=data["level"],
                planned_investment=data["planned_investment"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Added to the key-project list."))
            return redirect(f"{_url('construction:keylist')}?year={entry.year}&level={entry.level}")
    return render(
        request,
        "construction/keylist_form.html",
        {"form": form, "entry": None},
        status=400 if form.is_bound and form.errors else 200,
    )


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
def keylist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an entry's plan, or take the project off this list."""
    user = request_user(request)
    entry = selectors.entry_visible_or_404(user, pk)
    require_page(request.user, Capability.WRITE)
    form = KeyEntryEditForm(
        request.POST or None,
        initial={"planned_investment": entry.planned_investment, "note": entry.note},
    )
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                services.key_entry_remove(acting_user=user, entry=entry)
                messages.success(request, _("Taken off the key-project list."))
                return redirect(f"{_url('construction:keylist')}?year={entry.year}")
            if form.is_valid():
                services.key_entry_update(
                    acting_user=user,
                    entry=entry,
                    planned_investment=form.cleaned_data["planned_investment"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Annual plan saved."))
                return redirect(f"{_url('construction:keylist')}?year={entry.year}")
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(
        request,
        "construction/keylist_form.html",
        {"form": form, "entry": entry},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def investment_project(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """A project-year: 12 months, each with its current amount, running YTD and history."""
    user = request_user(request)
    project = selectors.project_visible_or_404(user, pk)
    if not 2000 <= year <= 2100:
        raise Http404
    form = MonthReportForm(request.POST or None, initial={"month": _default_month(year)})
    status = 200
    if request.method == "POST":
        require_page(request.user, Capability.WRITE)
        if form.is_valid():
            try:
                report = services.investment_report(
                    acting_user=user, project=project, year=year, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if services.is_unchanged(report):
                    messages.info(request, _("Unchanged: that amount is already reported."))
                elif report.version > 1:
                    messages.success(
                        request,
                        _("Correction saved as version %(v)d; the old value stays in the history.")
                        % {"v": report.version},
                    )
                else:
                    messages.success(request, _("Monthly report saved."))
                return redirect("construction:investment_project", pk=project.pk, year=year)
        status = 400
    return render(
        request,
        "construction/investment_project.html",
        {
            "data": selectors.project_year(project, year),
            "project": project,
            "year": year,
            "form": form,
            "can_write": can(user, Capability.WRITE),
        },
        status=status,
    )


def _default_month(year: int) -> int:
    today = timezone.localdate()
    return today.month if year == today.year else 12
