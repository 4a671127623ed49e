"""Request and response shapes of the reserve-pipeline API.

Input schemas only check form; which moves are legal stays in
``construction.services.reserve`` (the lifecycle engine). Money is ``Decimal`` in
and a decimal string out.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from zhaoshang.api.schemas import (
    Body,
    Date,
    Id,
    Money,
    Page,
    SortedPage,
    Version,
    Year,
    sort_field,
    unchanged,
)
from zhaoshang.projects.choices import Stage

from ..choices import ListLevel, ReserveStage
from ..selectors.reserve import RESERVE_SORTS


class ReserveFilters(SortedPage):
    sorts = RESERVE_SORTS

    stage: ReserveStage | None = None
    cluster: Id | None = None
    target_level: ListLevel | None = None
    q: str | None = Field(None, max_length=100, description="name, investor or description")
    sort: str | None = sort_field(RESERVE_SORTS)


class ReserveItemOut(Schema):
    id: int
    name: str
    investor_name: str
    cluster_id: int | None
    cluster: str | None
    total_investment: str | None = Field(description="万元, decimal string")
    area: str = Field(description="area code")
    stage: str
    stage_label: str
    stage_since: dt.date | None
    days_in_stage: int | None
    target_level: str
    reject_reason: str
    project_id: int | None = Field(description="the project it became, once promoted")
    version: int
    updated_at: dt.datetime


class ReservePage(Page):
    items: list[ReserveItemOut]


class ReserveEventOut(Schema):
    from_stage: str
    to_stage: str
    event_date: dt.date
    recorded_at: dt.datetime
    actor: str | None
    note: str
    reason: str


class ReserveDetail(ReserveItemOut):
    description: str
    events: list[ReserveEventOut]
    created_at: dt.datetime


class ReserveFields(Body):
    name: str = unchanged(min_length=1, max_length=200)
    investor_name: str = unchanged(max_length=200)
    cluster_id: Id | None = None
    total_investment: Money | None = Field(None, description="万元")
    description: str = unchanged(max_length=10000)
    target_level: ListLevel = unchanged(description="city or province")


class ReserveCreate(ReserveFields):
    name: str = Field(..., min_length=1, max_length=200)  # type: ignore[assignment]
    area: str | None = Field(
        None, max_length=9, description="area code; defaults to the caller's area"
    )
    event_date: Date | None = Field(None, description="when screening began; today")
    note: str = Field("", max_length=5000)


class ReserveUpdate(ReserveFields):
    version: Version


class ReserveTransitionIn(Body):
    to_stage: ReserveStage
    event_date: Date | None = Field(None, description="real-world date; default today")
    note: str = Field("", max_length=5000)
    reason: str = Field("", max_length=5000, description="needed to reject or go back")
    target_level: ListLevel = unchanged(description="the list, when including")
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="409 if stale")


class PromoteIn(Body):
    year: Year
    planned_investment: Money = Field(..., description="annual planned investment, 万元")
    stage: Stage = Field(Stage.LEAD, description="where the new project starts")
    event_date: Date | None = None
    contract_date: Date | None = None
    contracted_amount: Money | None = None
    start_date: Date | None = None
    note: str = Field("", max_length=5000)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="409 if stale")


class PromoteOut(Schema):
    project_id: int
    reserve: ReserveDetail
