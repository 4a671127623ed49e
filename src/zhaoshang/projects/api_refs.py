"""What an API body may refer to, shared by every app's routes.

An id in a request body names a row the caller may use (a person, a unit, a
project); unknown or hidden ids are a 422 on that field, never a leak. The
caller's write permission is a 403 only after the 404 check has passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from zhaoshang.core.api_auth import ApiError
from zhaoshang.core.context import request_user
from zhaoshang.core.models import Area, Unit, User
from zhaoshang.core.selectors import area_visible_or_404, units_visible_to, users_visible_to

from . import selectors
from .schemas import PersonOut


def api_writer(request: HttpRequest) -> User:
    """The caller, if their role may write; called after the 404 check (outsiders learn nothing)."""
    user = request_user(request)
    if not selectors.can_write(user):
        raise ApiError(403, "forbidden", _("Your role may read investment data but not change it."))
    return user


def caller_area(user: User, code: str | None) -> Area:
    """The area named in a body (404 unless visible), else the caller's own."""
    if code:
        return area_visible_or_404(user, code)
    if user.area is None:
        raise ValidationError({"area": _("Name the area (area code) this belongs to.")})
    return user.area


def ancestor_codes(area: Area) -> list[str]:
    """The area and the areas above it: where chain members may come from."""
    return [code for code in area.path.split("/") if code]


def one_visible(queryset: QuerySet[Any], pk: int | None, field: str) -> Any:
    """Resolve a referenced id among rows the caller may use; unknown or hidden → 422."""
    if pk is None:
        return None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise ValidationError(
            {field: _("Not found or not visible to you (id %(id)s).") % {"id": pk}}
        )
    return row


def many_visible(queryset: QuerySet[Any], ids: list[int], field: str) -> list[Any]:
    found = {row.pk: row for row in queryset.filter(pk__in=set(ids))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {
                field: _("Not found or not visible to you (id %(id)s).")
                % {"id": ", ".join(map(str, missing))}
            }
        )
    return [found[i] for i in dict.fromkeys(ids)]


def people_in_reach(user: User, area: Area) -> QuerySet[User]:
    """Active people the caller may name: those they can see, and those above the area.

    A district officer may put a city cadre on a chain without being able to
    browse the city; the service then checks each person is within reach.
    """
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(area__code__in=ancestor_codes(area)) | Q(pk__in=users_visible_to(user).values("pk"))
        )
        .select_related("area")
    )


def units_in_reach(user: User, area: Area) -> QuerySet[Unit]:
    return Unit.objects.filter(
        Q(area__code__in=ancestor_codes(area)) | Q(pk__in=units_visible_to(user).values("pk"))
    ).select_related("area")


def person_out(user: User) -> PersonOut:
    return PersonOut(id=user.pk, username=user.username, full_name=user.full_name)


def person_or_none(user: User | None) -> PersonOut | None:
    return None if user is None else person_out(user)


def paged(rows: QuerySet[Any], filters: Any, item: Callable[[Any], Any]) -> dict[str, Any]:
    """The list answer every route gives: ``count``, ``limit``, ``offset`` and the page's items."""
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "count": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [item(row) for row in page],
    }
