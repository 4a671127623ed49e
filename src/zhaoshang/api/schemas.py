"""The base types of every app's API schemas (django-ninja / Pydantic v2).

Input schemas only check form (types, lengths, ranges, known choices); the
rules of the domain stay in the services, so the API, the forms and the
importers share them. Money is ``Decimal`` in and a decimal string out.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema, field_validator

from zhaoshang.core.schemas import NO_NUL_PATTERN, Date, Flag, sort_field, unchanged

#: re-exported from core (which sits below this package): the request types every app uses
__all__ = ["NO_NUL_PATTERN", "Date", "Flag", "sort_field", "unchanged"]

#: Largest id a database bigint holds; bigger ones would overflow the driver, not just miss.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def decimal_in(max_digits: int, places: int, *, signed: bool = False) -> list[Any]:
    """The metadata of a decimal a request may carry: a JSON string like ``"1234.5"``
    (or a whole number), never a float, whose binary value is not what was typed and
    whose digits the document could not promise. The schema says exactly what the
    validator takes: the digits before and after the point, the sign."""
    whole = max_digits - places
    pattern = rf"^{'-?' if signed else ''}\d{{1,{whole}}}(\.\d{{1,{places}}})?$"
    text = re.compile(pattern)
    largest = 10**whole - 1

    def exact(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)  # ``864.0`` is the whole number JSON Schema calls an integer
        if isinstance(value, bool | float):
            raise ValueError(_('Write the number as a string, e.g. "1234.5".'))
        if isinstance(value, str) and not text.fullmatch(value):
            raise ValueError(
                _(
                    "Write the number with at most %(whole)d digits before the point and "
                    '%(places)d after it, e.g. "1234.5".'
                )
                % {"whole": whole, "places": places}
            )
        return value

    integer: dict[str, Any] = {"type": "integer", "maximum": largest}
    integer["minimum"] = -largest if signed else 0
    return [
        BeforeValidator(exact),
        Field(ge=None if signed else 0, max_digits=max_digits, decimal_places=places),
        WithJsonSchema({"anyOf": [{"type": "string", "pattern": pattern}, integer]}),
    ]


Money = Annotated[Decimal, *decimal_in(16, 4)]
Days = Annotated[Decimal, *decimal_in(4, 1)]
Month = Annotated[int, Field(ge=1, le=12)]
#: A month the service checks itself (its message says which months may be entered);
#: the document still states the range.
ServiceMonth = Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 12})]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]


class Clean(Schema):
    """Refuses NUL characters anywhere: PostgreSQL cannot store them and would answer 500."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError(_("NUL characters are not allowed."))
        return value


class Body(Clean):
    """A request body: an unknown (say, misspelt) field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Page(Schema):
    count: int = Field(description="rows matching the filters, over all pages")
    limit: int
    offset: int


# --- shared pieces ------------------------------------------------------------


class PersonOut(Schema):
    id: int
    username: str
    full_name: str


class PersonRefOut(Schema):
    """A Person (人员库 row) named in the work: chain members, work-plan leaders."""

    id: int
    name: str
    post: str = Field(description="职务, tells same-named people apart")
    rank: str = Field(description="district_leader, division, chief, sub_chief, officer, other")
    unit: str | None = Field(None, description="the unit's name")


class UnitOut(Schema):
    id: int
    name: str


class SortedPage(Clean):
    """Filters of a paged list whose ``sort`` must be one of the subclass's ``sorts``."""

    sorts: ClassVar[Collection[str]] = ()
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31 - 1)

    @field_validator("sort", check_fields=False)
    @classmethod
    def _known_sort(cls, value: str | None) -> str | None:
        if value and value not in cls.sorts:
            raise ValueError(
                _("Unknown sort; use one of %(sorts)s.") % {"sorts": ", ".join(cls.sorts)}
            )
        return value


Version = Annotated[
    int, Field(ge=1, le=2**31 - 1, description="the version you read; 409 if stale")
]
Year = Annotated[int, Field(ge=2000, le=2100)]
