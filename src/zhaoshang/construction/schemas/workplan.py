"""Request and response shapes of the work-plan (milestone) API.

Input schemas only check form; the rules (who may lead a milestone, done
dates) stay in ``construction.services.workplan`` so the API and the pages share them.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from zhaoshang.api.schemas import (
    Body,
    Date,
    Id,
    Page,
    PersonRefOut,
    SortedPage,
    UnitOut,
    Version,
    sort_field,
    unchanged,
)

from ..choices import MilestoneStatus
from ..selectors.workplan import MILESTONE_SORTS

# --- milestones ------------------------------------------------------------------


class MilestoneFilters(SortedPage):
    sorts = MILESTONE_SORTS

    project: Id | None = None
    status: MilestoneStatus | None = None
    overdue: bool = Field(False, description="only milestones past their due date and not done")
    leader: Id | None = Field(None, description="Person id of the leader in charge")
    unit: Id | None = Field(None, description="responsible unit id")
    area: str | None = Field(None, max_length=9, description="area code (and below)")
    q: str | None = Field(None, max_length=100, description="title or project name contains")
    sort: str | None = sort_field(MILESTONE_SORTS)


class MilestoneOut(Schema):
    id: int
    project_id: int
    project_name: str
    area: str = Field(description="area code (the project's)")
    title: str
    due_date: dt.date
    leader: PersonRefOut | None
    unit: UnitOut | None
    responsible_person: PersonRefOut | None
    status: str
    status_label: str
    done_date: dt.date | None
    overdue: bool = Field(description="due date passed and not done (calendar days)")
    done_late: bool = Field(description="done after its due date (逾期完成)")
    done_late_working_days: int | None = Field(
        description="working days after the due date it was done (None: on time, open, "
        "or a year whose holiday calendar is not published)"
    )
    note: str
    version: int
    updated_at: dt.datetime


class MilestonePage(Page):
    items: list[MilestoneOut]


class MilestoneFields(Body):
    title: str = unchanged(min_length=1, max_length=200)
    due_date: Date = unchanged()
    leader_id: Id | None = Field(None, description="a leader-rank Person (区级领导 or 处级干部)")
    unit_id: Id | None = None
    responsible_person_id: Id | None = Field(None, description="a Person (人员库) id")
    note: str = unchanged(max_length=5000)


class MilestoneCreate(MilestoneFields):
    project_id: Id
    title: str = Field(..., min_length=1, max_length=200)  # type: ignore[assignment]
    due_date: Date  # type: ignore[assignment]


class MilestoneUpdate(MilestoneFields):
    """On PUT only the fields sent change; status ``done`` needs ``done_date``."""

    status: MilestoneStatus = unchanged()
    done_date: Date | None = None
    version: Version
