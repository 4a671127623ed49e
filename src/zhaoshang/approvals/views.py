"""Pages of agency approvals: the board, a project's tracker and its actions, the catalogue.

Thin: parse, call a selector or a service, render. An item or project the user
may not see is 404 (before the role is asked); a read-only role sees the
pages without forms and gets 404 on a write URL. A refused action goes back
to the tracker with the service's message and nothing written.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from zhaoshang.core.context import request_user
from zhaoshang.core.models import User
from zhaoshang.core.policy import Capability, can
from zhaoshang.core.versions import ConflictError
from zhaoshang.core.web import apply_errors, list_context, require_page, xlsx_response

from . import forms, selectors, services
from .choices import ItemStatus, PauseKind
from .exports import export_items
from .lifecycle import ITEM
from .models import ApprovalItem

BOARD_COLUMNS = ("light", "project", "item", "status", "accepted", "due")
CATALOGUE_COLUMNS = ("order", "name", "legal")


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Every approval item of the user's areas, by light; filter, sort, page, export."""
    user = request_user(request)
    form = forms.ItemFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_bound else {}
    rows = selectors.item_list(user, filters)
    context = list_context(request, rows, BOARD_COLUMNS)
    return render(request, "approvals/board.html", {**context, "form": form})


@login_required
@require_GET
def board_export(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = forms.ItemFilterForm(request.GET or None, user=user)
    buffer = io.BytesIO()
    export_items(user=user, filters=form.filters() if form.is_bound else {}, target=buffer)
    return xlsx_response(buffer, "approvals")


@login_required
@require_GET
def project_tracker(request: HttpRequest, pk: int) -> HttpResponse:
    """One project's approval plan: lights, Gantt-like bars, pauses, promises, history."""
    user = request_user(request)
    project = selectors.project_or_404(user, pk)
    today = timezone.localdate()
    items = selectors.project_items(project, today)
    for item in items:
        item.move_options = ITEM.move_options(item) if item.pk else []  # type: ignore[attr-defined]
    return render(
        request,
        "approvals/tracker.html",
        {
            "project": project,
            "items": items,
            "total": selectors.total_time(project, items, today),
            "land": selectors.land_of(project),
            "simulated": selectors.simulated_count(items),
            "can_write": can(user, Capability.WRITE),
            "plan_form": forms.PlanForm(user=user, area=project.area),
            "land_form": forms.LandForm(initial={"transferred_on": today}),
            "pause_kinds": PauseKind.choices,
            "statuses": ItemStatus,
            "today": today,
        },
    )


def _writer_item(request: HttpRequest, pk: int) -> tuple[User, ApprovalItem]:
    user = request_user(request)
    item = selectors.item_or_404(user, pk)
    require_page(user, Capability.WRITE)
    return user, item


def _run(
    request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any], done: str
) -> None:
    """Call the service with the form's data; its refusal becomes the page's message."""
    if not form.is_valid():
        errors = [
            _("%(field)s: %(error)s")
            % {"field": form.fields[k].label if k in form.fields else "", "error": " ".join(v)}
            for k, v in form.errors.items()
        ]
        messages.error(request, " ".join(errors))
        return
    try:
        action(form.cleaned_data)
    except ConflictError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


def _back(item: ApprovalItem) -> HttpResponse:
    return redirect(f"{reverse('approvals:project', args=[item.project_id])}#item-{item.pk}")


@login_required
@require_POST
def item_move(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _writer_item(request, pk)
    _run(
        request,
        forms.MoveForm(request.POST),
        lambda d: services.item_move(
            acting_user=user,
            item=item,
            to_status=d["to_status"],
            event_date=d["event_date"],
            reason=d["reason"],
            note=d["note"],
            document_number=d["document_number"],
            document_date=d["document_date"],
            expected_version=d["version"],
        ),
        _("Status changed."),
    )
    return _back(item)


@login_required
@require_POST
def item_pause(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _writer_item(request, pk)
    _run(
        request,
        forms.PauseForm(request.POST),
        lambda d: services.pause_open(
            acting_user=user,
            item=item,
            kind=d["kind"],
            reason=d["reason"],
            start=d["start"],
            expected_version=d["version"],
        ),
        _("The clock is paused."),
    )
    return _back(item)


@login_required
@require_POST
def item_resume(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _writer_item(request, pk)
    _run(
        request,
        forms.ResumeForm(request.POST),
        lambda d: services.pause_close(
            acting_user=user, item=item, end=d["end"], expected_version=d["version"]
        ),
        _("The clock runs again; the due date moved."),
    )
    return _back(item)


@login_required
@require_POST
def item_promise(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _writer_item(request, pk)
    _run(
        request,
        forms.PromiseForm(request.POST),
        lambda d: services.promise_add(
            acting_user=user,
            item=item,
            material=d["material"],
            promised_by=d["promised_by"],
            note=d["note"],
            expected_version=d["version"],
        ),
        _("Missing material recorded with its promised date."),
    )
    return _back(item)


@login_required
@require_POST
def promise_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    promise = selectors.promise_or_404(user, pk)
    require_page(user, Capability.WRITE)
    _run(
        request,
        forms.FulfilForm(request.POST),
        lambda d: services.promise_fulfil(
            acting_user=user,
            promise=promise,
            fulfilled_on=d["fulfilled_on"],
            expected_version=d["version"],
        ),
        _("Promise fulfilled."),
    )
    return _back(promise.item)


@login_required
@require_POST
def item_agent(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _writer_item(request, pk)
    _run(
        request,
        forms.AgentForm(request.POST, user=user, area=item.area, keep=item.agent_id),
        lambda d: services.agent_change(
            acting_user=user, item=item, agent=d["agent"], expected_version=d["version"]
        ),
        _("Agent changed."),
    )
    return _back(item)


@login_required
@require_POST
def item_convert(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _writer_item(request, pk)
    _run(
        request,
        forms.VersionForm(request.POST),
        lambda d: services.item_convert(acting_user=user, item=item, expected_version=d["version"]),
        _("Converted to formal approval."),
    )
    return _back(item)


@login_required
@require_POST
def item_issue(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _writer_item(request, pk)
    _run(
        request,
        forms.IssueForm(request.POST),
        lambda d: services.item_issue(
            acting_user=user,
            item=item,
            document_number=d["document_number"],
            document_date=d["document_date"],
            expected_version=d["version"],
        ),
        _("Document recorded."),
    )
    return _back(item)


@login_required
@require_POST
def project_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Generate (or complete) the project's plan from the catalogue."""
    user = request_user(request)
    project = selectors.project_or_404(user, pk)
    require_page(user, Capability.WRITE)
    form = forms.PlanForm(request.POST, user=user, area=project.area)
    if form.is_valid():
        try:
            created = services.plan_generate(
                acting_user=user, project=project, agent=form.cleaned_data["agent"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            added = ngettext(
                "%(n)d approval item added to the plan.",
                "%(n)d approval items added to the plan.",
                len(created),
            )
            messages.success(request, added % {"n": len(created)})
    else:
        messages.error(request, _("Choose an agent from the list."))
    return redirect("approvals:project", pk=project.pk)


@login_required
@require_POST
def project_land(request: HttpRequest, pk: int) -> HttpResponse:
    """The land is transferred: simulated items turn formal."""
    user = request_user(request)
    project = selectors.project_or_404(user, pk)
    require_page(user, Capability.WRITE)
    form = forms.LandForm(request.POST)
    if form.is_valid():
        try:
            services.project_land_transferred(
                acting_user=user, project=project, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Land transfer recorded; simulated items are now formal."))
    else:
        messages.error(request, _("Give the date the land was transferred."))
    return redirect("approvals:project", pk=project.pk)


# --- catalogue -------------------------------------------------------------------------------


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue of the user's areas; a writer adds items here (POST)."""
    user = request_user(request)
    form = forms.ItemTypeForm(request.POST or None, user=user)
    if request.method == "POST":
        require_page(user, Capability.WRITE)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.item_type_create(acting_user=user, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Catalogue item added."))
                return redirect("approvals:catalogue")
    rows = selectors.catalogue(user, {"sort": request.GET.get("sort", "")})
    context = list_context(request, rows, CATALOGUE_COLUMNS, default=50)
    settings = selectors.settings_of(user.area) if user.area is not None else None
    return render(
        request,
        "approvals/catalogue.html",
        {
            **context,
            "form": form,
            "settings": settings,
            "settings_form": forms.SettingsForm(
                initial={
                    "ratio_numerator": settings.ratio_numerator,
                    "ratio_denominator": settings.ratio_denominator,
                    "total_target": settings.total_target,
                    "version": settings.version,
                }
            )
            if settings
            else None,
            "can_write": can(user, Capability.WRITE),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    item_type = selectors.type_or_404(user, pk)
    require_page(user, Capability.WRITE)
    form = forms.ItemTypeForm(request.POST or None, instance=item_type, user=user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if data.get("promised_limit") is None:
            data.pop("promised_limit", None)
        try:
            services.item_type_update(
                acting_user=user,
                item_type=item_type,
                expected_version=form.cleaned_data["version"],
                **data,
            )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Catalogue item saved."))
            return redirect("approvals:catalogue")
    return render(
        request,
        "approvals/type_form.html",
        {"form": form, "item_type": item_type},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_page(user, Capability.WRITE)
    form = forms.SettingsForm(request.POST)
    if user.area is None:
        messages.error(request, _("Only a user of an area has approval settings."))
    else:
        area = user.area
        _run(
            request,
            form,
            lambda d: services.settings_save(
                acting_user=user,
                area=area,
                ratio_numerator=d["ratio_numerator"],
                ratio_denominator=d["ratio_denominator"],
                total_target=d["total_target"],
                expected_version=d["version"],
            ),
            _("Settings saved."),
        )
    return redirect("approvals:catalogue")
