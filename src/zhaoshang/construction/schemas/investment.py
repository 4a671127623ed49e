"""Request and response shapes of the key-list and monthly-investment API.

Input schemas check form only (types, ranges, known levels); the domain's
refusals (future month, negative amount, project not in a list, duplicates)
stay in ``construction.services.investment`` and come back as 422 JSON.
Money is ``Decimal`` in and a decimal string out, never a float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from zhaoshang.api.schemas import (
    Body,
    Clean,
    Id,
    Month,
    Page,
    Year,
    decimal_in,
    sort_field,
    unchanged,
)

from ..choices import ListLevel
from ..selectors.investment import SORTS

Amount = Annotated[str, Field(description="万元, decimal string")]
#: 万元 in; the sign is checked by the service so a negative gets its clear message
MoneyIn = Annotated[Decimal, *decimal_in(16, 4, signed=True), Field(description="万元")]


class KeyEntryFilters(Clean):
    year: Year | None = Field(None, description="default: this year")
    level: ListLevel | None = None
    area: str | None = Field(None, max_length=9, description="area code: it and below")
    q: str | None = Field(None, max_length=100, description="project name or number")
    through: Month | None = Field(None, description="last month of the year-to-date")
    sort: str | None = sort_field(SORTS)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class KeyEntryIn(Body):
    project_id: Id
    year: Year
    level: ListLevel
    planned_investment: MoneyIn
    note: str = Field("", max_length=200)


class KeyEntryUpdate(Body):
    planned_investment: MoneyIn
    note: str = unchanged(max_length=200)


class KeyEntryOut(Schema):
    id: int
    project_id: int
    project_name: str
    project_code: str
    area: str
    area_name: str
    year: int
    level: str
    level_label: str
    planned_investment: Amount
    ytd: Amount | None = Field(None, description="year-to-date completed (万元), current versions")
    completion_pct: str | None = Field(None, description="ytd / plan × 100, 2 decimals")
    note: str


class KeyEntryPage(Page):
    items: list[KeyEntryOut]


class TotalsOut(Schema):
    area: str
    year: int
    levels: list[str]
    through: int
    projects: int
    planned: Amount
    done: Amount
    completion_pct: str | None


class InvestmentFilters(Clean):
    year: Year | None = None
    month: Month | None = None
    project: Id | None = None
    area: str | None = Field(None, max_length=9, description="area code: it and below")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class InvestmentIn(Body):
    project_id: Id
    year: Year
    month: Month
    amount: MoneyIn
    note: str = Field("", max_length=200)


class InvestmentOut(Schema):
    id: int
    project_id: int
    project_name: str
    area: str
    year: int
    month: int
    amount: Amount
    version: int
    is_current: bool
    note: str
    entered_by: str | None
    entered_at: dt.datetime
    unchanged: bool = Field(
        False, description="the same amount was already current: no new version"
    )


class InvestmentPage(Page):
    items: list[InvestmentOut]
