"""Derived numbers: year to date, completion %, ranks (ties), time elapsed, computed actuals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from tests.targets.conftest import TODAY
from zhaoshang.construction.models import InvestmentRollup
from zhaoshang.core.models import Area
from zhaoshang.projects import services as project_services
from zhaoshang.projects.models import StageEvent
from zhaoshang.projects.rollups import recount
from zhaoshang.targets import selectors
from zhaoshang.targets.models import Actual, Target

pytestmark = pytest.mark.django_db

D = Decimal
COUNTIES = ["411702", "411721", "411722", "411723"]


def target(area: Area, code: str, value: str, year: int = 2026) -> None:
    Target.objects.create(area=area, year=year, indicator_id=code, value=D(value))


def actual(area: Area, code: str, month: int, value: str, year: int = 2026) -> None:
    Actual.objects.create(area=area, year=year, month=month, indicator_id=code, value=D(value))


def row_of(user, area, code, year=2026, today=TODAY):  # type: ignore[no-untyped-def]
    rows = selectors.indicator_rows(user, area=area, year=year, today=today)
    return next(r for r in rows if r.indicator == code)


# --- pure helpers ------------------------------------------------------------------------


def test_it_rounds_completion_half_up_to_two_decimals():
    assert selectors.completion_pct(D("4103"), D("3025.81")) == D("135.60")
    assert selectors.completion_pct(D("111.43"), D("46.10")) == D("241.71")
    assert selectors.completion_pct(D("56.096"), D("51.2")) == D("109.56")
    assert selectors.completion_pct(D("1"), D("8")) == D("12.50")
    assert selectors.completion_pct(D("1"), D("800")) == D("0.13")  # 0.125 → 0.13, not banker's
    assert selectors.completion_pct(D("5"), None) is None
    assert selectors.completion_pct(D("5"), D("0")) is None


def test_it_ranks_ties_as_a_competition_1_1_3():
    ranks = selectors.competition_ranks(
        {"a": D("120.00"), "b": D("150.00"), "c": D("120.00"), "d": D("90"), "e": None}
    )
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_it_measures_time_elapsed_by_days():
    assert selectors.time_elapsed_pct(2026, TODAY) == D("78.90")  # day 288 of 365
    assert selectors.time_elapsed_pct(2024, dt.date(2024, 12, 31)) == D("100.00")  # leap year
    assert selectors.time_elapsed_pct(2025, TODAY) == D("100.00")
    assert selectors.time_elapsed_pct(2027, TODAY) == D("0.00")


def test_it_counts_months_through_today_only_in_the_current_year():
    assert selectors.default_through_month(2026, TODAY) == 10
    assert selectors.default_through_month(2014, TODAY) == 12
    assert selectors.default_through_month(2027, TODAY) == 0


# --- manual indicators -------------------------------------------------------------------


def test_it_sums_the_year_to_date_of_the_area_and_the_areas_below(yicheng, area, user_named):
    target(yicheng, "import_export", "1000")
    for month, value in [(1, "100"), (2, "150.5"), (10, "49.5"), (11, "999")]:
        actual(yicheng, "import_export", month, value)
    # the zone's own figure counts in Yicheng's: an area's actual is its own + those below
    actual(area("411702500"), "import_export", 3, "500")
    actual(yicheng, "import_export", 1, "777", year=2025)
    row = row_of(user_named("yc_staff"), yicheng, "import_export")
    assert row.actual == D("800")  # November is after TODAY's month
    assert row.below == 1
    assert row.target == D("1000")
    assert row.completion_pct == D("80.00")
    assert row.time_elapsed_pct == D("78.90")
    assert row.behind is False
    whole_year = selectors.indicator_rows(
        user_named("yc_staff"), area=yicheng, year=2026, today=TODAY, through_month=12
    )
    assert whole_year[0].actual == D("1799")


def test_it_ranks_an_area_among_all_its_siblings_with_a_target(area, user_named):
    values = {"411702": ("100", "150"), "411721": ("100", "120"), "411722": ("200", "240")}
    for code, (goal, done) in values.items():
        target(area(code), "fdi", goal)
        actual(area(code), "fdi", 1, done)
    actual(area("411723"), "fdi", 1, "5000")  # no target: not ranked
    staff = user_named("yc_staff")
    yc = row_of(staff, area("411702"), "fdi")
    assert (yc.completion_pct, yc.rank, yc.of) == (D("150.00"), 1, 3)
    xp = row_of(user_named("xp_staff"), area("411721"), "fdi")
    assert (xp.completion_pct, xp.rank, xp.of) == (D("120.00"), 2, 3)  # a tie with 上蔡县
    sc = row_of(user_named("zmd_city"), area("411722"), "fdi")
    assert (sc.rank, sc.of) == (2, 3)
    pingyu = row_of(user_named("zmd_city"), area("411723"), "fdi")
    assert (pingyu.target, pingyu.completion_pct, pingyu.rank) == (None, None, None)
    assert pingyu.actual == D("5000")


def test_it_hides_an_area_from_a_sibling_county(area, user_named):
    with pytest.raises(Http404):
        selectors.indicator_rows(user_named("xp_staff"), area=area("411702"), year=2026)
    with pytest.raises(Http404):
        selectors.sibling_table(user_named("yc_staff"), parent=area("411700"), year=2026)
    with pytest.raises(Http404):
        selectors.indicator_rows(user_named("yc_investor"), area=area("411702"), year=2026)


def test_it_lists_every_county_for_the_city_and_only_the_visible_for_a_county(
    city, yicheng, user_named
):
    table = selectors.sibling_table(user_named("zmd_city"), parent=city, year=2026, today=TODAY)
    assert [r.area.code for r in table] == ["411702", *[f"4117{n}" for n in range(21, 30)]]
    assert list(table[0].cells) == [
        "import_export",
        "fdi",
        "out_of_city_capital",
        "key_project_investment",
        "new_signed",
        "new_started",
    ]
    below = selectors.sibling_table(user_named("yc_staff"), parent=yicheng, year=2026)
    assert [r.area.code for r in below] == ["411702500"]


def test_it_computes_all_siblings_in_a_fixed_number_of_queries(
    city, area, user_named, django_assert_max_num_queries
):
    for code in COUNTIES:
        target(area(code), "import_export", "100")
        actual(area(code), "import_export", 1, "10")
    user = user_named("zmd_city")
    user.role_codes, user.area  # noqa: B018 - read once per request, not per area
    # 9 before 到位资金 (新签约, 新开工 one each); + the paid-in sums, the modes and the 合计 label
    with django_assert_max_num_queries(12):
        table = selectors.sibling_table(user, parent=city, year=2026, today=TODAY)
    assert len(table) == 10
    with django_assert_max_num_queries(12):
        selectors.indicator_rows(user, area=area("411729"), year=2026, today=TODAY)


# --- computed indicators -------------------------------------------------------------------


def rollup(area: Area, month: int, level: str, amount: str, year: int = 2014) -> None:
    InvestmentRollup.objects.create(
        area=area, year=year, month=month, top_level=level, amount=D(amount), reports=1
    )


def test_it_computes_key_project_investment_from_city_and_province_rollups(
    yicheng, area, user_named
):
    target(yicheng, "key_project_investment", "51.2", year=2014)
    rollup(yicheng, 1, "province", "300000")
    rollup(yicheng, 6, "city", "200000")
    rollup(area("411702500"), 12, "city", "60960")  # the zone is part of Yicheng's subtree
    rollup(yicheng, 3, "district", "99999")  # district-only projects do not count
    rollup(area("411721"), 2, "city", "12345")  # a sibling's
    rollup(yicheng, 2, "city", "1", year=2015)
    row = row_of(user_named("yc_staff"), yicheng, "key_project_investment", year=2014)
    assert row.actual == D("56.096")  # 560960 万元 = 56.096 亿元
    assert row.completion_pct == D("109.56")
    assert (row.rank, row.of) == (1, 1)
    xp = row_of(user_named("xp_staff"), area("411721"), "key_project_investment", year=2014)
    assert xp.actual == D("1.2345")
    early = selectors.indicator_rows(
        user_named("yc_staff"), area=yicheng, year=2014, through_month=6
    )
    assert early[3].actual == D("50")


def _project(staff, name: str, area: Area | None = None):  # type: ignore[no-untyped-def]
    return project_services.project_create(
        acting_user=staff,
        area=area or staff.area,
        name=name,
        investor_name="测试投资方",
        total_investment=D("1000"),
        event_date=dt.date(2025, 6, 1),
    )


def _moved(project, to_stage: str, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    StageEvent.objects.create(
        project=project,
        from_stage="",
        to_stage=to_stage,
        event_date=day,
        recorded_at=timezone.now(),
    )


def test_it_counts_projects_signed_and_started_in_the_year(yicheng, area, user_named):
    staff = user_named("yc_staff")
    target(yicheng, "new_signed", "4")
    target(yicheng, "new_started", "2")
    one, two, three = (_project(staff, f"计数项目{i}") for i in range(3))
    zone_project = _project(staff, "园区项目", area=area("411702500"))
    _moved(one, "signed", dt.date(2026, 2, 1))
    _moved(one, "signed", dt.date(2026, 3, 1))  # signed again after a step back: one project
    _moved(two, "signed", dt.date(2026, 10, 31))
    _moved(three, "signed", dt.date(2026, 11, 1))  # after TODAY's month
    _moved(three, "signed", dt.date(2025, 12, 31))  # last year
    _moved(zone_project, "signed", dt.date(2026, 5, 5))
    _moved(one, "construction", dt.date(2026, 4, 1))
    recount([yicheng.pk, zone_project.area_id])  # what the services do after a move
    rows = {
        r.indicator: r
        for r in selectors.indicator_rows(staff, area=yicheng, year=2026, today=TODAY)
    }
    assert rows["new_signed"].actual == D("3")
    assert rows["new_signed"].completion_pct == D("75.00")
    assert rows["new_started"].actual == D("1")
    assert rows["new_started"].completion_pct == D("50.00")
