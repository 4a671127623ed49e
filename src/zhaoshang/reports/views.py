"""Dashboard pages: thin views over ``reports.panels`` (which read through ``reports.selectors``).

``/reports/`` sends a user to their own area's dashboard; ``?export=<panel>``
on a dashboard returns that panel's table as Excel and records the export.
"""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhaoshang.core.choices import AreaLevel
from zhaoshang.core.context import request_user
from zhaoshang.core.models import Area, User
from zhaoshang.core.policy import can_reach
from zhaoshang.core.selectors import areas_visible_to
from zhaoshang.core.web import xlsx_response

from . import panels, selectors
from .exports import export_panel
from .panels import Panel

MIN_YEAR, MAX_YEAR = 2000, 2100


def _year(request: HttpRequest, years: list[int], today: dt.date) -> tuple[int, str]:
    """The ``year`` asked for, else the latest with data (else this year); a bad value is
    explained, not a 500."""
    latest = years[0] if years else today.year
    raw = request.GET.get("year", "").strip()
    if not raw:
        return latest, ""
    if raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw), ""
    message = _("The year must be a number between %(low)s and %(high)s; showing %(year)s.") % {
        "low": MIN_YEAR,
        "high": MAX_YEAR,
        "year": latest,
    }
    return latest, message


def _years(request: HttpRequest, area: Area, today: dt.date) -> tuple[int, str, list[int]]:
    """The year shown, its error message and the picker's years (with data, and the shown one)."""
    years = selectors.years_with_data(request_user(request), area=area, today=today)
    year, error = _year(request, years, today)
    return year, error, sorted({*years, year}, reverse=True)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The user's own area: the side-by-side view for a city or province, else the area one."""
    user = request_user(request)
    area = user.area or areas_visible_to(user).filter(parent=None).order_by("code").first()
    if area is None:
        raise Http404
    if area.level in (AreaLevel.PROVINCE, AreaLevel.CITY):
        return redirect("reports:city_dashboard", code=area.code)
    return redirect("reports:area_dashboard", code=area.code)


@login_required
@require_GET
def area_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    area = selectors.dashboard_area_or_404(user, code)
    today = timezone.localdate()
    year, error, years = _years(request, area, today)
    export = request.GET.get("export")
    if export is not None:
        if export not in panels.AREA_PANEL_KEYS:
            raise Http404
        built = panels.area_panels(user, area=area, year=year, today=today, only=export)
        return _export(user, area, year, built[export])
    context = {
        "area": area,
        "year": year,
        "years": years,
        "error": error,
        "panels": panels.area_panels(user, area=area, year=year, today=today),
        "has_children": areas_visible_to(user).filter(parent=area).exists(),
        "parent_reachable": _parent_reachable(user, area),
    }
    return render(request, "reports/area_dashboard.html", context)


@login_required
@require_GET
def city_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    area, children = selectors.city_dashboard_area_or_404(user, code)
    today = timezone.localdate()
    year, error, years = _years(request, area, today)
    export = request.GET.get("export")
    if export is not None:
        if export not in panels.CITY_PANEL_KEYS:
            raise Http404
        built = panels.city_panels(
            user, area=area, children=children, year=year, today=today, only=export
        )
        return _export(user, area, year, built[export])
    context = {
        "area": area,
        "year": year,
        "years": years,
        "error": error,
        "children": children,
        "parent_reachable": _parent_reachable(user, area),
        "panels": panels.city_panels(user, area=area, children=children, year=year, today=today),
    }
    return render(request, "reports/city_dashboard.html", context)


def _parent_reachable(user: User, area: Area) -> bool:
    """Whether the crumb to the area above links: a district's staff cannot open their city."""
    return area.parent is not None and can_reach(user, area.parent)


def _export(user: User, area: Area, year: int, panel: Panel) -> HttpResponse:
    """One panel's table as .xlsx (formula-safe), audited in the same transaction."""
    buffer = io.BytesIO()
    export_panel(user=user, area=area, year=year, panel=panel, target=buffer)
    return xlsx_response(buffer, f"dashboard-{area.code}-{year}-{panel.key}", stamped=False)
