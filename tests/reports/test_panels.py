"""Each dashboard panel's numbers on the small known dataset of conftest.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.reports.conftest import TODAY, YEAR
from zhaoshang.core.models import Area
from zhaoshang.reports import panels, selectors

pytestmark = pytest.mark.django_db


def test_it_counts_projects_by_stage_in_the_area_only(dataset, user_named, yicheng):
    funnel = {
        s.stage: s.count
        for s in selectors.stage_funnel(user_named("yc_staff"), area=yicheng, year=TODAY.year)
    }
    assert funnel["construction"] == 1
    assert funnel["signed"] == 1
    assert funnel["lead"] == 1  # Xiping's lead is not Yicheng's
    assert funnel["production"] == 1
    assert funnel["terminated"] == 1
    assert sum(funnel.values()) == 5


def test_it_counts_every_district_for_the_city(dataset, user_named):
    city = Area.objects.get(code="411700")
    funnel = {
        s.stage: s.count
        for s in selectors.stage_funnel(user_named("zmd_city"), area=city, year=TODAY.year)
    }
    assert funnel["lead"] == 2


def test_it_sums_investment_by_cluster_without_terminated_projects(dataset, user_named, yicheng):
    groups = selectors.investment_by_cluster(user_named("yc_staff"), area=yicheng, year=TODAY.year)
    assert [(g.label, g.projects, g.investment) for g in groups] == [
        ("测试新能源", 1, Decimal("3000")),
        ("测试运输装备", 2, Decimal("1500.5")),
        ("", 1, Decimal("200")),
    ]


def test_it_sums_investment_by_key_region(dataset, user_named, yicheng):
    groups = selectors.investment_by_region(user_named("yc_staff"), area=yicheng, year=TODAY.year)
    assert [(g.key, g.projects, g.investment) for g in groups] == [
        ("yrd", 2, Decimal("4000")),
        ("prd", 1, Decimal("500.5")),
        ("", 1, Decimal("200")),
    ]
    assert str(groups[0].label) == "长三角"


def test_it_reads_plan_and_done_by_month_from_the_rollups(dataset, user_named, yicheng):
    plan = selectors.key_plan(user_named("yc_staff"), area=yicheng, year=YEAR)
    assert (plan.projects_city, plan.planned_city) == (21, Decimal("512000"))
    assert (plan.projects_all, plan.planned_all) == (24, Decimal("522000"))
    assert plan.done_city == Decimal("560960")
    assert plan.pct_city == Decimal("109.56")  # the seed's 109.56%
    assert plan.pct_all == Decimal("108.42")
    june = plan.months[5]
    assert (june.done_all, june.cumulative_all, june.cumulative_city) == (
        Decimal("300000"),
        Decimal("305000"),
        Decimal("300000"),
    )
    assert plan.months[2].done_city == 0 and plan.months[2].done_all == Decimal("5000")


def test_it_has_an_empty_plan_for_a_year_without_lists(dataset, user_named, yicheng):
    plan = selectors.key_plan(user_named("yc_staff"), area=yicheng, year=YEAR + 1)
    assert plan.planned_all == 0 and plan.pct_all is None and len(plan.months) == 12


def test_it_lists_overdue_milestones_oldest_first(dataset, user_named, yicheng):
    watch = selectors.overdue_milestones(user_named("yc_staff"), area=yicheng, today=TODAY)
    assert watch.count == 2
    assert [(r["title"], r["days_late"]) for r in watch.rows] == [
        ("完成环评", 10),
        ("取得施工许可", 3),
    ]


def test_it_lists_stuck_projects_longest_idle_first(dataset, user_named, yicheng):
    watch = selectors.stuck_projects(user_named("yc_staff"), area=yicheng, today=TODAY)
    assert watch.count == 2
    assert [(r["name"], r["days_idle"]) for r in watch.rows] == [
        ("卡住的线索", 200),
        ("卡住的在建项目", 100),
    ]


def test_it_sums_each_child_area_for_the_city(dataset, user_named):
    city = Area.objects.get(code="411700")
    children = list(Area.objects.filter(parent=city).order_by("code"))
    plans = {
        p.area.code: p
        for p in selectors.key_plan_by_child(
            user_named("zmd_city"), area=city, children=children, year=YEAR
        )
    }
    assert plans["411702"].planned == Decimal("512000")
    assert plans["411702"].pct == Decimal("109.56")
    assert (plans["411721"].done, plans["411721"].pct) == (Decimal("25000"), Decimal("50.00"))
    assert plans["411722"].pct is None


def test_it_shows_the_indicator_completion_and_rank(dataset, user_named, yicheng):
    built = panels.area_panels(
        user_named("yc_staff"), area=yicheng, year=YEAR, today=TODAY, only="indicators"
    )
    row = next(r for r in built["indicators"].rows if r[0] == "进出口总额")
    assert row[4] == Decimal("160.00")
    assert row[6] == "2/2"  # Xiping's 200% ranks first


def test_it_ranks_every_child_for_the_city(dataset, user_named):
    city = Area.objects.get(code="411700")
    children = list(Area.objects.filter(parent=city).order_by("code"))
    built = panels.city_panels(
        user_named("zmd_city"), area=city, children=children, year=YEAR, today=TODAY
    )
    ranking = built["ranking"]
    assert len(ranking.rows) == 10
    headers = [c.label for c in ranking.columns]
    pct_col = headers.index("进出口总额完成率")
    by_name = {row[0]: row for row in ranking.rows}
    assert by_name["驿城区"][pct_col] == Decimal("160.00")
    assert by_name["西平县"][pct_col + 1] == 1
