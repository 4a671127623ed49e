"""首页 (my work) and an area's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import selectors
from ..context import request_user
from ..navigation import home_for, home_panels_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """首页 "my work": the panels apps registered for the user's role, each linking to
    where the item is handled; the area summary stays one click away (本区域概况).
    An investor is sent to the home an app registered for them."""
    user = request_user(request)
    own_home = home_for(user)
    if own_home is not None:
        return redirect(own_home)
    if user.area is None:
        return render(
            request,
            "core/home_unscoped.html",
            {"areas": selectors.areas_visible_to(user).filter(parent=None)},
        )
    return render(
        request,
        "core/home.html",
        {"area": user.area, "panels": home_panels_for(user)},
    )


@login_required
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = selectors.area_visible_or_404(request.user, code)
    units = selectors.units_visible_to(request.user).filter(area=area)
    return render(
        request,
        "core/area.html",
        {
            "area": area,
            "units": units,
            "summary": selectors.area_summary(area),
            "is_own": area.pk == request_user(request).area_id,
        },
    )
