"""Request and response shapes of the projects API (django-ninja / Pydantic v2).

Input schemas only check form (types, lengths, ranges, known choices); the
rules of the domain (stage gates, who may be on a chain, uniqueness) stay in
``projects.services`` so the API, the forms and the importers share them.
Money is ``Decimal`` in and a decimal string out, never a float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from zhaoshang.api.schemas import (
    Body,
    Clean,
    Count,
    Date,
    Days,
    Flag,
    Id,
    Money,
    Page,
    PersonOut,
    PersonRefOut,
    SortedPage,
    UnitOut,
    decimal_in,
    sort_field,
    unchanged,
)

from .choices import ActivityKind, EnterpriseTag, KeyLevel, KeyRegion, Method, Stage
from .selectors import SORTS

# --- enterprises ------------------------------------------------------------------


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str | None
    area: str = Field(description="area code of the registering area")
    region_code: str
    industry_code: str
    registered_capital: str | None = Field(description="万元, decimal string")
    founded_on: dt.date | None
    employees: int | None
    tags: list[str]
    is_leading: bool
    cluster_id: int | None
    description: str
    updated_at: dt.datetime


class EnterprisePage(Page):
    items: list[EnterpriseOut]


class EnterpriseFilters(Clean):
    q: str | None = Field(None, max_length=100, description="name or credit code contains")
    area: str | None = Field(None, max_length=9, description="area code")
    cluster: Id | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class EnterpriseUpdate(Body):
    """Fields of an enterprise; on PUT only the fields sent are changed."""

    name: str = unchanged(max_length=128)
    uscc: str | None = Field(None, max_length=18, description="统一社会信用代码")
    region_code: str = unchanged(max_length=6)
    industry_code: str = unchanged(max_length=5)
    registered_capital: Money | None = None
    founded_on: Date | None = None
    employees: Count | None = None
    tags: list[EnterpriseTag] = unchanged()
    is_leading: Flag = unchanged()
    cluster_id: Id | None = None
    description: str = unchanged(max_length=5000)


class EnterpriseCreate(EnterpriseUpdate):
    name: str = Field(..., min_length=1, max_length=128)  # type: ignore[assignment]
    area: str | None = Field(
        None, max_length=9, description="area code; defaults to the caller's area"
    )


# --- projects -------------------------------------------------------------------


class ProjectFilters(SortedPage):
    """The ledger's filters (``projects.selectors.project_list``)."""

    sorts = SORTS

    stage: Stage | None = None
    cluster: Id | None = None
    source_region: KeyRegion | None = None
    method: Method | None = None
    sub_bureau: Id | None = None
    key_level: KeyLevel | None = Field(None, description="the level in ``year``")
    year: int | None = Field(
        None, ge=2000, le=2100, description="year of the key-project level; this year by default"
    )
    leader: Id | None = Field(None, description="user id of the lead cadre")
    area: str | None = Field(None, max_length=9, description="area code")
    q: str | None = Field(None, max_length=100, description="name, investor or project number")
    stuck: bool = Field(False, description="only projects with no progress for too long")
    sort: str | None = sort_field(SORTS)


class ProjectItem(Schema):
    id: int
    code: str
    name: str
    investor: str = Field(description="the investor enterprise's name, or as written")
    investor_id: int | None
    stage: str
    stage_label: str
    cluster: str | None
    cluster_id: int | None
    total_investment: str = Field(description="万元, decimal string")
    area: str = Field(description="area code")
    area_name: str
    key_level: str = Field(
        description="level in key_level_year's key-project lists (read-only): "
        "'', district, city or province"
    )
    key_level_year: int
    version: int
    stuck: bool
    last_progress: dt.date | None
    updated_at: dt.datetime


class ProjectPage(Page):
    items: list[ProjectItem]


class ChainOut(Schema):
    """责任链: 牵头, 主抓, 带队, two 跟踪, up to five 协作 units; ``gaps`` names what is missing."""

    lead_cadre: PersonRefOut | None
    responsible_chief: PersonRefOut | None
    frontline_sub_chief: PersonRefOut | None
    trackers: list[PersonRefOut]
    cooperating_units: list[UnitOut]
    gaps: list[str]


class StageDays(Schema):
    stage: str
    label: str
    days: int


class StageEventOut(Schema):
    from_stage: str
    to_stage: str
    event_date: dt.date
    recorded_at: dt.datetime
    actor: str | None
    note: str
    reason: str


class ProjectDetail(ProjectItem):
    investor_name: str
    source_region: str
    source_province: str
    source_country: str
    method: str
    foreign_capital: str = Field(description="万美元, decimal string")
    out_of_city_capital: str = Field(description="万元, decimal string")
    land_area: str | None = Field(description="亩, decimal string")
    land_parcel: str
    contract_date: dt.date | None
    contracted_amount: str | None = Field(description="万元, decimal string")
    start_date: dt.date | None
    production_date: dt.date | None
    sub_bureau: UnitOut | None
    chain: ChainOut
    time_in_stages: list[StageDays]
    stage_events: list[StageEventOut]
    notes: str
    created_at: dt.datetime


class ProjectFields(Body):
    """Editable fields of a project; ``*_id`` refer to rows the caller can see."""

    code: str = unchanged(max_length=32)
    name: str = unchanged(max_length=200)
    investor_id: Id | None = None
    investor_name: str = unchanged(max_length=200)
    cluster_id: Id | None = None
    source_region: KeyRegion = unchanged()
    source_province: str = unchanged(max_length=6)
    source_country: str = unchanged(max_length=64)
    method: Method = unchanged()
    total_investment: Money | None = Field(None, description="万元")
    foreign_capital: Money | None = Field(None, description="万美元")
    out_of_city_capital: Money | None = Field(None, description="万元")
    land_area: Annotated[Decimal, *decimal_in(12, 2)] | None = None
    land_parcel: str = unchanged(max_length=128)
    contract_date: Date | None = None
    contracted_amount: Money | None = None
    start_date: Date | None = None
    production_date: Date | None = None
    key_level: Any = Field(
        None,
        description="read-only: refused (422); a project's level in a year is that of its key "
        "lists (POST /api/v1/key-projects)",
        json_schema_extra={"not": {}},
    )
    sub_bureau_id: Id | None = None
    lead_cadre_id: Id | None = Field(None, description="a Person (人员库) id")
    responsible_chief_id: Id | None = Field(None, description="a Person (人员库) id")
    frontline_sub_chief_id: Id | None = Field(None, description="a Person (人员库) id")
    tracker_ids: list[Id] | None = Field(None, max_length=10, description="Person ids")
    cooperating_unit_ids: list[Id] | None = Field(None, max_length=10)
    notes: str = unchanged(max_length=10000)

    @field_validator("key_level", mode="before")
    @classmethod
    def _key_level_read_only(cls, value: Any) -> Any:
        raise ValueError(
            _(
                "The key-project level cannot be set on a project: it is the level of the "
                "key-project lists the project is in each year. Add the project to a list "
                "(POST /api/v1/key-projects) instead."
            )
        )


class ProjectCreate(ProjectFields):
    name: str = Field(..., min_length=1, max_length=200)  # type: ignore[assignment]
    area: str | None = Field(
        None, max_length=9, description="area code; defaults to the caller's area"
    )
    stage: Stage = Field(Stage.LEAD, description="where the project starts (main line only)")
    event_date: Date | None = Field(None, description="when it reached that stage; today")
    note: str = Field("", max_length=5000)


class ProjectUpdate(ProjectFields):
    """On PUT only the fields sent change; ``version`` is the one you read (409 if stale)."""

    version: int = Field(..., ge=1, le=2**31 - 1)


class TransitionIn(Body):
    to_stage: Stage
    event_date: Date | None = Field(None, description="real-world date; default today")
    note: str = Field("", max_length=5000)
    reason: str = Field("", max_length=5000, description="needed to pause, stop or go back")
    contract_date: Date | None = None
    contracted_amount: Money | None = None
    start_date: Date | None = None
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="409 if stale")


# --- activities ------------------------------------------------------------------


class ActivityOut(Schema):
    id: int
    project_id: int | None
    kind: str
    kind_label: str
    date: dt.date
    days: str
    people: list[PersonOut]
    other_people: str
    region: str
    outcome: str
    next_step: str
    next_due: dt.date | None
    created_by: str
    created_at: dt.datetime


class ActivityIn(Body):
    kind: ActivityKind
    date: Date
    days: Days = Decimal("1")
    people_ids: list[Id] = Field(default_factory=list, max_length=50)
    other_people: str = Field("", max_length=200)
    region: str = Field("", max_length=64)
    outcome: str = Field("", max_length=5000)
    next_step: str = Field("", max_length=200)
    next_due: Date | None = None
