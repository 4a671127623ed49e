"""Pages of the reserve pipeline (项目储备): the kanban board, an item's detail, moves, promotion.

The board needs no JavaScript: each card carries a small POST form for its
next move (or rejection); a refused move shows the item's page with the errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhaoshang.core.context import request_user
from zhaoshang.core.models import User
from zhaoshang.core.policy import Capability, can
from zhaoshang.core.versions import ConflictError
from zhaoshang.core.web import apply_errors, require_page

from ..choices import ReserveStage
from ..forms.reserve import PromoteForm, ReserveFilterForm, ReserveForm, ReserveMoveForm
from ..models import ReserveItem
from ..selectors import reserve as selectors
from ..services import reserve as services


@login_required
@require_GET
def reserve_board(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ReserveFilterForm(request.GET or None, user=user)
    columns = selectors.reserve_board(user, form.filters() if form.is_bound else {})
    return render(
        request,
        "construction/reserve_board.html",
        {
            "form": form,
            "columns": columns,
            "can_write": can(user, Capability.WRITE),
            "today": timezone.localdate(),
            "included": ReserveStage.INCLUDED,
            "reserved": ReserveStage.RESERVED,
        },
    )


@login_required
def reserve_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_page(user, Capability.WRITE)
    if user.area is None:
        raise Http404
    form = ReserveForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            item = services.reserve_create(acting_user=user, area=user.area, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Reserve item created."))
            return redirect("construction:reserve_detail", pk=item.pk)
    return render(
        request,
        "construction/reserve_form.html",
        {"form": form, "item": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def reserve_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    item = selectors.reserve_or_404(user, pk)
    require_page(user, Capability.WRITE)
    form = ReserveForm(request.POST or None, instance=item, user=user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.reserve_update(
                acting_user=user, item=item, expected_version=form.cleaned_data["version"], **data
            )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Reserve item saved."))
            return redirect("construction:reserve_detail", pk=item.pk)
    return render(
        request,
        "construction/reserve_form.html",
        {"form": form, "item": item},
        status=400 if form.is_bound and form.errors else 200,
    )


def _detail_context(user: User, item: ReserveItem, **forms: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "item": item,
        "events": selectors.reserve_timeline(item),
        "days_in_stage": selectors.days_in_stage(item, today),
        "next_needs": selectors.next_stage_needs(item),
        "can_write": can(user, Capability.WRITE),
        "open": item.stage not in services.CLOSED,
        "can_promote": item.stage == ReserveStage.INCLUDED and item.project_id is None,
        "move_form": forms.get("move_form")
        or ReserveMoveForm(
            initial={
                "to_stage": selectors.next_stage(item.stage) or ReserveStage.REJECTED,
                "event_date": today,
                "version": item.version,
                "target_level": item.target_level,
            }
        ),
        "promote_form": forms.get("promote_form") or PromoteForm(initial={"version": item.version}),
    }


@login_required
@require_GET
def reserve_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    item = selectors.reserve_or_404(user, pk)
    return render(request, "construction/reserve_detail.html", _detail_context(user, item))


@login_required
@require_POST
def reserve_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    item = selectors.reserve_or_404(user, pk)
    require_page(user, Capability.WRITE)
    form = ReserveMoveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reserve_transition(
                acting_user=user,
                item=item,
                to_stage=data["to_stage"],
                event_date=data["event_date"],
                note=data["note"],
                reason=data["reason"],
                target_level=data["target_level"],
                expected_version=data["version"],
            )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s moved to %(stage)s.")
                % {"name": item.name, "stage": ReserveStage(data["to_stage"]).label},
            )
            if data["next"] == "board":
                return redirect("construction:reserve_board")
            return redirect("construction:reserve_detail", pk=item.pk)
    item = selectors.reserve_or_404(user, pk)
    return render(
        request,
        "construction/reserve_detail.html",
        _detail_context(user, item, move_form=form),
        status=400,
    )


@login_required
@require_POST
def reserve_promote(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    item = selectors.reserve_or_404(user, pk)
    require_page(user, Capability.WRITE)
    form = PromoteForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        gate = {
            k: data.pop(k)
            for k in ("contract_date", "contracted_amount", "start_date")
            if data.get(k) is not None
        }
        try:
            project = services.reserve_promote(
                acting_user=user,
                item=item,
                year=data["year"],
                planned_investment=data["planned_investment"],
                stage=data["stage"],
                event_date=data["event_date"],
                expected_version=data["version"],
                **gate,
            )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The project and its key-list entry were created."))
            return redirect("projects:project_detail", pk=project.pk)
    item = selectors.reserve_or_404(user, pk)
    return render(
        request,
        "construction/reserve_detail.html",
        _detail_context(user, item, promote_form=form),
        status=400,
    )
