"""Pages of targets and indicators: the indicator table (and its Excel), the target form
of the level above, the monthly grid of manual actuals. Thin: parse, call, render.

An area the user may not see is 404; so is a page the user's role may not
use (as on the projects pages), so nothing is disclosed either way.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhaoshang.core.context import request_user
from zhaoshang.core.models import Area, User
from zhaoshang.core.policy import Capability, can, can_set_targets
from zhaoshang.core.web import xlsx_response

from . import selectors, services
from .choices import ActualMode, Source
from .exports import export_table
from .forms import ActualGridForm, ModeForm, PickForm, TargetForm, cell_name
from .models import Indicator, Target


def _picked(request: HttpRequest, user: User, areas: list[Area]) -> tuple[PickForm, Area, int]:
    """The page's area (404 unless visible) and year (this year unless a valid one is given).

    Without an ``area`` the user's own area is shown if offered, else the first offered.
    """
    code = request.GET.get("area") or None
    if code is None and any(a.pk == user.area_id for a in areas):
        code = user.area.code if user.area else None
    elif code is None and areas:
        code = areas[0].code
    area = selectors.area_or_404(user, code)
    data = {"area": area.code, "year": request.GET.get("year") or timezone.localdate().year}
    form = PickForm(data, areas=areas)
    return form, area, form.year_or_now()


def _page_url(name: str, area: Area, year: int) -> str:
    return f"{reverse(name)}?{urlencode({'area': area.code, 'year': year})}"


@login_required
@require_GET
def target_table(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form, area, year = _picked(request, user, selectors.visible_area_choices(user))
    rows = selectors.indicator_rows(user, area=area, year=year)
    children = (
        selectors.sibling_table(user, parent=area, year=year) if area.children.exists() else []
    )
    settable = {a.pk for a in selectors.settable_areas(user)}
    may_mode = services.may_set_mode(user, area)
    return render(
        request,
        "targets/table.html",
        {
            "form": form,
            "area": area,
            "year": year,
            "rows": rows,
            "children": children,
            "indicators": [r.indicator for r in rows],
            "query": urlencode({"area": area.code, "year": year}),
            "may_set": area.pk in settable,
            "may_set_children": bool(settable),
            "may_enter": can(user, Capability.WRITE),
            "may_mode": may_mode,
            "mode_choices": ActualMode.choices,
            "actual_label": selectors.actual_label(area, rows[0]) if rows else "",
        },
    )


@login_required
@require_POST
def mode_set(request: HttpRequest) -> HttpResponse:
    """Switch one paid-in indicator of an area and year between entered and computed."""
    user = request_user(request)
    area = selectors.area_or_404(user, request.POST.get("area") or None)
    form = ModeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect(_page_url("targets:table", area, timezone.localdate().year))
    data = form.cleaned_data
    indicator = Indicator.objects.filter(code=data["indicator"]).first()
    if indicator is None:
        raise Http404
    try:
        services.actual_mode_set(
            acting_user=user, area=area, year=data["year"], indicator=indicator, mode=data["mode"]
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Source of the actual saved."))
    return redirect(_page_url("targets:table", area, data["year"]))


@login_required
@require_GET
def target_export(request: HttpRequest) -> HttpResponse:
    """The indicator table (the area, then its children) as Excel; the export is audited."""
    user = request_user(request)
    _form, area, year = _picked(request, user, selectors.visible_area_choices(user))
    buffer = io.BytesIO()
    export_table(user=user, area=area, year=year, target=buffer)
    return xlsx_response(buffer, f"targets-{area.code}-{year}", stamped=False)


@login_required
def target_set(request: HttpRequest) -> HttpResponse:
    """All indicators of one child area in one form, for the level above (市定目标)."""
    user = request_user(request)
    settable = selectors.settable_areas(user)
    form_pick, area, year = _picked(request, user, settable)
    if not can_set_targets(user, area):
        raise Http404
    indicators = selectors.indicators()
    current = dict(Target.objects.filter(area=area, year=year).values_list("indicator_id", "value"))
    form = TargetForm(request.POST or None, indicators=indicators, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for ind in indicators:
                    value = form.cleaned_data.get(ind.code)
                    if value != current.get(ind.code):  # a blank box clears the target
                        services.target_set(
                            acting_user=user, area=area, year=year, indicator=ind, value=value
                        )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Targets saved."))
            return redirect(_page_url("targets:table", area, year))
    return render(
        request,
        "targets/target_form.html",
        {"pick": form_pick, "form": form, "area": area, "year": year},
    )


@login_required
def actual_grid(request: HttpRequest) -> HttpResponse:
    """Twelve months of the manual indicators of one area; saved all or nothing."""
    user = request_user(request)
    if not can(user, Capability.WRITE):
        raise Http404
    pick, area, year = _picked(request, user, selectors.visible_area_choices(user))
    indicators = [i for i in selectors.indicators() if i.source == Source.MANUAL]
    today = timezone.localdate()
    form = ActualGridForm(
        request.POST or None,
        indicators=indicators,
        year=year,
        stored=selectors.monthly_actuals(area, year),
        today=today,
    )
    posted = request.method == "POST" and form.is_valid()
    if posted and _save_grid(form, user=user, area=area, year=year, today=today):
        messages.success(request, _("Monthly figures saved."))
        return redirect(_page_url("targets:actuals", area, year))
    return render(
        request,
        "targets/actual_grid.html",
        {"pick": pick, "form": form, "area": area, "year": year, "months": range(1, 13)},
    )


def _save_grid(form: ActualGridForm, *, user: User, area: Area, year: int, today: Any) -> bool:
    """Write every changed cell in one transaction; on the first refusal write nothing."""
    try:
        with transaction.atomic():
            for ind, month, value in form.changed_cells():
                try:
                    services.actual_set(
                        acting_user=user,
                        area=area,
                        year=year,
                        month=month,
                        indicator=ind,
                        value=value,
                        today=today,
                    )
                except ValidationError as exc:
                    form.add_error(cell_name(ind.code, month), exc.messages)
                    raise
    except ValidationError:
        return False
    return True
