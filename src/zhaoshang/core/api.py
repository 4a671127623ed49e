"""Core API: who am I, and the areas I can see."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from . import selectors
from .context import request_user
from .models import Area
from .schemas import AreaOut, MeOut

router = Router(tags=["core"])


def _area_out(area: Area) -> AreaOut:
    return AreaOut(
        code=area.code,
        name=area.name,
        level=area.level,
        parent_code=area.parent.code if area.parent is not None else None,
    )


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> MeOut:
    user = request_user(request)
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        area_code=user.area.code if user.area else None,
        unit=str(user.unit) if user.unit_id else None,
        roles=sorted(user.role_codes),
        language=user.language,
    )


@router.get("/areas", response=list[AreaOut], summary="Areas the user may see")
def area_list(request: HttpRequest) -> list[AreaOut]:
    return [_area_out(a) for a in selectors.areas_visible_to(request.user).select_related("parent")]


@router.get("/areas/{code}", response=AreaOut, summary="One area (404 outside the user's scope)")
def area_detail(request: HttpRequest, code: str) -> AreaOut:
    return _area_out(selectors.area_visible_or_404(request.user, code))
