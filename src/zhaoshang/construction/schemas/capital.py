"""Request and response shapes of the paid-in capital (到位资金) API.

Form only (types, ranges); the domain's refusals (future month, negative
amount, unsigned project, stale version) stay in ``services.capital`` and come
back as 422 / 409 JSON. Money is ``Decimal`` in and a decimal string out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from zhaoshang.api.schemas import Body, Clean, Id, Page, Year, decimal_in

from .investment import Amount, Month

#: the sign is checked by the service so a negative gets its clear message naming the field
CapitalIn = Annotated[Decimal, *decimal_in(16, 4, signed=True)]


class CapitalFilters(Clean):
    year: Year | None = Field(None, description="default: this year")
    month: Month | None = None
    project: Id | None = None
    area: str | None = Field(None, max_length=9, description="area code: it and below")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class CapitalReportIn(Body):
    project_id: Id
    year: Year
    month: Month
    foreign_capital: CapitalIn = Field(description="foreign capital paid in, 万美元")
    out_of_city_capital: CapitalIn = Field(description="out-of-city capital paid in, 万元")
    note: str = Field("", max_length=200)
    version: int | None = Field(
        None,
        ge=0,
        description="the current version you read (0: none yet); a stale one answers 409",
    )


class CapitalOut(Schema):
    id: int
    project_id: int
    project_name: str
    area: str
    year: int
    month: int
    foreign_capital: Amount = Field(description="万美元")
    out_of_city_capital: Amount = Field(description="万元")
    version: int
    is_current: bool
    note: str
    entered_by: str | None
    entered_at: dt.datetime
    unchanged: bool = Field(False, description="the same amounts were already current")


class CapitalPage(Page):
    items: list[CapitalOut]
    foreign_capital_total: Amount = Field(description="all matching rows, 万美元")
    out_of_city_capital_total: Amount = Field(description="all matching rows, 万元")
