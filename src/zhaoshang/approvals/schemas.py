"""Request and response shapes of the approvals API (form only; the rules are the services')."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from zhaoshang.api.schemas import (
    Body,
    Date,
    Flag,
    Id,
    Page,
    PersonRefOut,
    SortedPage,
    UnitOut,
    Version,
    sort_field,
    unchanged,
)

from .choices import ItemStatus, Light, Mode, PauseKind, Phase
from .selectors import CATALOGUE_SORTS, ITEM_SORTS

Limit = Field(..., ge=1, le=999, description="working days")


class TypeFilters(SortedPage):
    sorts = CATALOGUE_SORTS
    phase: Phase | None = None
    active: bool | None = None
    q: str | None = Field(None, max_length=100)
    sort: str | None = sort_field(CATALOGUE_SORTS)


class TypeOut(Schema):
    id: int
    area: str = Field(description="area code")
    phase: str
    phase_label: str
    name: str
    department: UnitOut
    legal_limit: int
    promised_limit: int
    materials: str
    legal_basis: str
    order: int
    active: bool
    version: int


class TypePage(Page):
    items: list[TypeOut]


class TypeCreate(Body):
    area: str | None = Field(None, max_length=9, description="area code; default: yours")
    phase: Phase
    name: str = Field(..., min_length=1, max_length=100)
    department_id: Id
    legal_limit: int = Limit
    promised_limit: int | None = Field(
        None, ge=1, le=999, description="≤ legal; default: the area's ratio of the legal limit"
    )
    materials: str = Field("", max_length=5000)
    legal_basis: str = Field("", max_length=200)
    order: int = Field(0, ge=0, le=32767)
    active: Flag = True


class TypeUpdate(Body):
    """Only the fields sent change."""

    phase: Phase = unchanged()
    name: str = unchanged(min_length=1, max_length=100)
    department_id: Id | None = None
    legal_limit: int | None = Field(None, ge=1, le=999)
    promised_limit: int | None = Field(None, ge=1, le=999)
    materials: str = unchanged(max_length=5000)
    legal_basis: str = unchanged(max_length=200)
    order: int | None = Field(None, ge=0, le=32767)
    active: Flag = unchanged()
    version: Version


class ItemFilters(SortedPage):
    sorts = ITEM_SORTS
    project: Id | None = None
    light: Light | None = None
    phase: Phase | None = None
    department: Id | None = Field(None, description="unit id")
    agent: Id | None = Field(None, description="Person id of the 代办员")
    status: ItemStatus | None = None
    mode: Mode | None = None
    q: str | None = Field(None, max_length=100)
    sort: str | None = sort_field(ITEM_SORTS)


class PauseOut(Schema):
    id: int
    kind: str
    reason: str
    start: dt.date
    end: dt.date | None
    working_days: int


class PromiseOut(Schema):
    id: int
    material: str
    promised_by: dt.date
    fulfilled_on: dt.date | None
    overdue: bool


class EventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    event_date: dt.date
    recorded_at: dt.datetime
    recorded_by: str | None
    late_entry: bool = Field(description="补录: dated more than 2 working days before entry")
    reason: str
    note: str


class ItemOut(Schema):
    id: int
    project_id: int
    project_name: str
    area: str
    item_type_id: int
    name: str
    phase: str
    department: UnitOut
    agent: PersonRefOut | None
    status: str
    status_label: str
    mode: str
    promised_limit: int
    legal_limit: int
    submitted_on: dt.date | None
    accepted_on: dt.date | None
    done_on: dt.date | None
    due_date: dt.date | None
    provisional: bool = Field(description="the due date passed through a year without a notice")
    paused_days: int
    light: str = Field(description="green, yellow, red, paused, done, late or empty")
    late_working_days: int | None
    document_number: str
    document_date: dt.date | None
    outcome: str
    converted_on: dt.date | None
    sim_document_number: str
    sim_document_date: dt.date | None
    sim_status: str
    differs_from_simulated: list[str]
    version: int


class ItemDetail(ItemOut):
    events: list[EventOut]
    pauses: list[PauseOut]
    promises: list[PromiseOut]


class ItemPage(Page):
    items: list[ItemOut]


class PlanIn(Body):
    agent_id: Id | None = Field(None, description="the 代办员 (Person) of every new item")


class LandIn(Body):
    transferred_on: Date
    document: str = Field("", max_length=100)


class MoveIn(Body):
    to_status: ItemStatus
    event_date: Date | None = Field(None, description="when it happened; default today")
    reason: str = Field("", max_length=1000)
    note: str = Field("", max_length=1000)
    document_number: str = Field("", max_length=100)
    document_date: Date | None = None
    version: Version


class PauseIn(Body):
    kind: PauseKind
    reason: str = Field(..., min_length=1, max_length=1000)
    start: Date | None = None
    version: Version


class ResumeIn(Body):
    end: Date | None = None
    version: Version


class PromiseIn(Body):
    material: str = Field(..., min_length=1, max_length=200)
    promised_by: Date
    note: str = Field("", max_length=1000)
    version: Version


class FulfilIn(Body):
    fulfilled_on: Date | None = None
    version: Version = Field(description="the item's version")


class AgentIn(Body):
    agent_id: Id | None
    version: Version


class ConvertIn(Body):
    converted_on: Date | None = None
    version: Version


class IssueIn(Body):
    document_number: str = Field(..., min_length=1, max_length=100)
    document_date: Date
    version: Version
