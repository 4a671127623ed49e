"""Shapes of the core API: the signed-in user, the areas they see, the 人员库.

Core sits below ``zhaoshang.api``'s plumbing, so these mirror its conventions
(``extra="forbid"`` bodies, a checked ``sort``, ``limit``/``offset``, NUL
refused) without importing it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, Strict, field_validator

from .choices import CalendarDayKind, PersonRank
from .selectors import PERSON_SORTS

# --- request types every app's API uses (``zhaoshang.api.schemas`` re-exports them) -------

#: What the OpenAPI document says of every text a request may carry (``Clean`` enforces it).
NO_NUL_PATTERN = "^[^\\u0000]*$"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    """A date is written ``YYYY-MM-DD``: lax pydantic would read ``0`` as 1970-01-01
    and ``"2026-01-02T00:00"`` as a date, silently storing what nobody meant."""
    if isinstance(value, dt.datetime) or not isinstance(value, str | dt.date):
        raise ValueError(_("Write the date as YYYY-MM-DD."))
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError(_("Write the date as YYYY-MM-DD."))
    return value


#: A calendar date in a request: an ISO ``YYYY-MM-DD`` string, never a number or a timestamp.
Date = Annotated[dt.date, BeforeValidator(_iso_date_only)]
#: A boolean in a request body: ``true`` or ``false``, never ``0``/``1``/``"yes"``.
#: (Query strings stay lax: ``?stuck=true`` arrives as text.)
Flag = Annotated[bool, Strict()]


def unchanged(**kwargs: Any) -> Any:
    """A field of an update body that may be left out (unchanged) but is never null:
    its column is NOT NULL, so a null would otherwise reach the database and fail
    there. The type says what may be sent; the default only marks "not sent"."""
    return Field(None, **kwargs)


def sort_field(sorts: Collection[str]) -> Any:
    """The ``sort`` filter of a list: one of ``sorts``, named as an enum in the schema."""
    return Field(
        None, description=f"one of {', '.join(sorts)}", json_schema_extra={"enum": list(sorts)}
    )


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class MeOut(Schema):
    username: str
    full_name: str
    area_code: str | None
    unit: str | None
    roles: list[str]
    language: str


# --- the person directory (人员库) ------------------------------------------------


class _NoNul(Schema):
    """Refuses NUL characters in text (PostgreSQL cannot store them and would answer 500)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(_("NUL characters are not allowed."))
        return value


class PersonFilters(_NoNul):
    """The 人员库 list's filters (``core.selectors.person_list``)."""

    q: str | None = Field(None, max_length=100, description="name, post, unit or phone contains")
    rank: PersonRank | None = None
    area: str | None = Field(None, max_length=9, description="area code (and below it)")
    has_account: bool | None = Field(None, description="with (true) or without a login account")
    active: bool | None = None
    duplicates: bool = Field(False, description="only names held by several persons (疑似重复)")
    sort: str | None = sort_field(PERSON_SORTS)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31 - 1)

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, value: str | None) -> str | None:
        if value and value not in PERSON_SORTS:
            raise ValueError(
                _("Unknown sort; use one of %(sorts)s.") % {"sorts": ", ".join(PERSON_SORTS)}
            )
        return value


class DirectoryPersonOut(Schema):
    id: int
    name: str
    post: str
    rank: str
    rank_label: str
    unit_id: int | None
    unit: str | None
    phone: str
    area: str = Field(description="area code")
    username: str | None = Field(description="the login account, if the person has one")
    active: bool
    version: int
    updated_at: dt.datetime


class PersonPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DirectoryPersonOut]


class ReferenceOut(Schema):
    key: str = Field(description="app_label.model.field")
    field: str
    model: str
    count: int


class PersonDetail(DirectoryPersonOut):
    references: list[ReferenceOut] = Field(description="where the person is named")


class PersonUpdate(_NoNul):
    """Fields of a Person; on PATCH only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: str = unchanged(min_length=1, max_length=64)
    post: str = unchanged(max_length=64)
    rank: PersonRank = unchanged()
    unit_id: int | None = Field(None, ge=1, le=2**63 - 1)
    phone: str = unchanged(max_length=32)
    active: Flag = unchanged()
    version: int = Field(..., ge=1, le=2**31 - 1, description="the version you read; 409 if stale")


class PersonCreate(_NoNul):
    model_config = ConfigDict(extra="forbid")

    area: str | None = Field(None, max_length=9, description="area code; default: your own")
    name: str = Field(..., min_length=1, max_length=64)
    post: str = Field("", max_length=64)
    rank: PersonRank = PersonRank.OTHER
    unit_id: int | None = Field(None, ge=1, le=2**63 - 1)
    phone: str = Field("", max_length=32)


class PersonMergeIn(_NoNul):
    model_config = ConfigDict(extra="forbid")

    duplicates: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        ..., min_length=1, max_length=50, description="ids of the persons folded into this one"
    )
    version: int = Field(
        ..., ge=1, le=2**31 - 1, description="the survivor's version; 409 if stale"
    )


class PersonMergeOut(Schema):
    person: PersonDetail
    moved: dict[str, int] = Field(description="rows moved to the survivor, per relation")


# --- the working-day calendar ---------------------------------------------------------


class CalendarYearOut(Schema):
    year: int
    provisional: bool = Field(description="no State Council notice yet: statutory holidays only")
    number: str | None = Field(description="the notice's document number, if known")
    title: str | None
    published: dt.date | None


class CalendarDayOut(Schema):
    date: dt.date
    kind: CalendarDayKind = Field(description="holiday (休) or workday (调休上班)")
    name: str
    provisional: bool


class CalendarOut(Schema):
    start: dt.date
    end: dt.date
    years: list[CalendarYearOut]
    days: list[CalendarDayOut] = Field(description="every date that is not Monday–Friday as usual")


class CalendarAddOut(Schema):
    date: dt.date = Field(description="the n-th working day after start (次日起算)")
    provisional: bool = Field(description="counted through a year without a notice (预计)")


class CalendarBetweenOut(Schema):
    days: int = Field(description="working days d with start < d ≤ end")
    provisional: bool


class CalendarDayIn(_NoNul):
    model_config = ConfigDict(extra="forbid")

    date: Date
    kind: CalendarDayKind
    name: str = Field(..., min_length=1, max_length=64)


class CalendarNoticeIn(_NoNul):
    """A year's 国务院办公厅 holiday notice; entering a year again replaces it (a correction)."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(..., ge=1901, le=2099)
    number: str = Field("", max_length=64, description="e.g. 国办发明电〔2024〕12号")
    title: str = Field(..., min_length=1, max_length=200)
    published: Date | None = None
    source: str = Field("", max_length=200)
    days: list[CalendarDayIn] = Field(..., min_length=1, max_length=200)


class CalendarNoticeOut(Schema):
    year: int
    number: str
    title: str
    published: dt.date | None
    source: str
    entered_at: dt.datetime
    days: list[CalendarDayOut]


# --- the inbox (提醒) ------------------------------------------------------------------


class InboxFilters(_NoNul):
    """The inbox list's filters (``core.selectors.alerts_for``)."""

    status: Literal["unread", "read"] | None = Field(None, description="unread, read, or all")
    kind: str | None = Field(None, max_length=32, description="an alert kind, e.g. milestone_due")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class AlertOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    link: str = Field(description="the path of the object on the site")
    object_type: str
    object_id: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class AlertPage(Schema):
    count: int
    unread: int
    limit: int
    offset: int
    items: list[AlertOut]


class ReadAllIn(_NoNul):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = Field(None, max_length=32, description="only this kind; all when absent")


class ReadAllOut(Schema):
    marked: int
