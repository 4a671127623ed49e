"""Request and response shapes of the targets API (django-ninja / Pydantic v2).

Schemas check form only (types, ranges); who may set a target, which
indicators may be typed and which months are allowed stay in
``targets.services``. Figures are decimal strings out, never floats.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from zhaoshang.api.schemas import Body, Clean, decimal_in

from .choices import ActualMode

Year = Annotated[int, Field(ge=2000, le=2100)]
Figure = Annotated[Decimal, *decimal_in(18, 4, signed=True)]


class TargetFilters(Clean):
    area: str = Field(..., min_length=1, max_length=9, description="area code (GB/T 2260)")
    year: Year


class ActualFilters(TargetFilters):
    pass


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    decimals: int
    source: str = Field(description="manual, or how the actual is computed")
    sort: int


class IndicatorRowOut(Schema):
    indicator: str = Field(description="indicator code")
    name: str
    unit: str
    target: str | None = Field(description="annual target, none if not set")
    actual: str = Field(description="year to date (through last reported month)")
    completion_pct: str | None = Field(description="actual / target × 100, 2 decimals")
    rank: int | None = Field(description="rank among sibling areas by completion %")
    of: int = Field(description="how many sibling areas were ranked")
    time_elapsed_pct: str = Field(description="share of the year elapsed, 2 decimals")
    mode: str | None = Field(
        None,
        description="paid-in indicators (fdi, out_of_city_capital): whether this area's own "
        "figure is 'entered' (statistics bureau) or 'computed' from projects' 到位资金; "
        "completion % and rank use the chosen one",
    )
    entered: str | None = Field(None, description="paid-in indicators: the entered total")
    computed: str | None = Field(
        None, description="paid-in indicators: projects' 到位资金 summed (万元 ÷ 10000 → 亿元)"
    )
    difference: str | None = Field(None, description="computed − entered, when both exist")
    areas_below: int = Field(
        0, description="the actual is the sum of this many areas directly below + the area's own"
    )
    actual_label: str = Field(
        "", description="how the actual is made up, e.g. 合计（含下辖区县 10 个 + 市直）"
    )


class ValueIn(Body):
    value: Figure | None = Field(
        description="the annual target, in the indicator's unit; null clears it"
    )


class ModeIn(Body):
    mode: ActualMode = Field(description="entered (statistics bureau) or computed (到位资金)")


class ModeOut(Schema):
    area: str
    year: int
    indicator: str
    mode: str
    set_by: str | None
    updated_at: dt.datetime


class ActualIn(Body):
    value: Figure | None = Field(description="the month's own figure; null clears the month")


class TargetOut(Schema):
    area: str
    year: int
    indicator: str
    value: str
    set_by: str | None
    updated_at: dt.datetime


class ActualOut(Schema):
    area: str
    year: int
    month: int
    indicator: str
    value: str
    entered_by: str | None
    updated_at: dt.datetime
