"""What an API body may refer to, shared by every app's routes.

An id in a request body names a row the caller may use (a person, a unit, a
project); unknown or hidden ids are a 422 on that field, never a leak. The
caller's write permission is a 403 only after the 404 check has passed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from zhaoshang.core.context import request_user
from zhaoshang.core.models import Area, Person, User
from zhaoshang.core.policy import Capability, require
from zhaoshang.core.selectors import area_visible_or_404

from .schemas import PersonOut, PersonRefOut


def api_writer(request: HttpRequest) -> User:
    """The caller, if their role may write; called after the 404 check (outsiders learn nothing).

    The service enforces the same rule; asking here first answers 403 before a
    body's references are resolved (a reader learns nothing from a 422 either).
    """
    user = request_user(request)
    require(user, Capability.WRITE)
    return user


def caller_area(user: User, code: str | None) -> Area:
    """The area named in a body (404 unless visible), else the caller's own."""
    if code:
        return area_visible_or_404(user, code)
    if user.area is None:
        raise ValidationError({"area": _("Name the area (area code) this belongs to.")})
    return user.area


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


def person_out(user: User) -> PersonOut:
    return PersonOut(id=user.pk, username=user.username, full_name=user.full_name)


def person_or_none(user: User | None) -> PersonOut | None:
    return None if user is None else person_out(user)


def person_ref(person: Person) -> PersonRefOut:
    """A Person as the API shows it (select ``unit`` with it: its name is shown)."""
    return PersonRefOut(
        id=person.pk,
        name=person.name,
        post=person.post,
        rank=person.rank,
        unit=person.unit.name if person.unit is not None else None,
    )


def person_ref_or_none(person: Person | None) -> PersonRefOut | None:
    return None if person is None else person_ref(person)


def enum_value(value: Any) -> Any:
    """An enum member's value (schemas parse choices into enums), else the value itself."""
    return getattr(value, "value", value)
