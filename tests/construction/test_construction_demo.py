"""The construction demo reproduces the seed (Yicheng 2014: 21 / 51.2亿 / 56.096亿 / 109.56%),
gives siblings a real ranking, fills 2026 through October, and is idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhaoshang.construction.demo import investment as demo
from zhaoshang.construction.models import KeyProjectEntry, MonthlyInvestment
from zhaoshang.construction.selectors.investment import area_key_ranking, key_totals
from zhaoshang.core.models import Area, AuditEvent, User
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.demo import load_demo as load_projects
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> None:
    load_projects()
    demo.load_demo()


def test_it_reproduces_the_seed_totals(loaded) -> None:  # type: ignore[no-untyped-def]
    city = User.objects.get(username="zmd_city")
    totals = key_totals(city, area=Area.objects.get(code="411702"), year=2014)
    assert (totals.projects, totals.planned, totals.done, totals.pct) == (
        21,
        Decimal("512000"),
        Decimal("560960"),
        Decimal("109.56"),
    )
    assert totals.planned / 10000 == Decimal("51.2") and totals.done / 10000 == Decimal("56.096")
    historical = Project.objects.filter(key_entries__year=2014, area__code="411702").distinct()
    assert historical.count() == 21
    assert set(historical.values_list("stage", flat=True)) == {Stage.PRODUCTION}
    assert (
        KeyProjectEntry.objects.filter(year=2014, area__code="411702").count() == 23
    )  # two in both


def test_it_gives_every_sibling_a_different_completion(loaded) -> None:  # type: ignore[no-untyped-def]
    city = User.objects.get(username="zmd_city")
    ranking = area_key_ranking(city, parent=Area.objects.get(code="411700"), year=2014)
    pcts = {area.code: t.pct for area, t in ranking if t.projects}
    assert len(pcts) == 10 and len(set(pcts.values())) == 10
    for code in demo.SIBLINGS:
        assert Decimal(70) <= pcts[code] <= Decimal(130)
        projects = next(t.projects for a, t in ranking if a.code == code)
        assert 3 <= projects <= 6


def test_it_fills_the_current_year_through_october(loaded) -> None:  # type: ignore[no-untyped-def]
    months = set(
        MonthlyInvestment.objects.filter(year=2026, area__code="411702").values_list(
            "month", flat=True
        )
    )
    assert months == set(range(1, 11))
    levels = KeyProjectEntry.objects.filter(year=2026, area__code="411702").values_list(
        "level", flat=True
    )
    assert {"district", "city", "province"} <= set(levels)
    two_lists = (
        KeyProjectEntry.objects.filter(year=2026, area__code="411702")
        .values("project")
        .order_by()
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
        .filter(n__gt=1)
    )
    assert two_lists.exists()
    assert MonthlyInvestment.objects.filter(year=2026, area__code="411721").exists()


def test_it_writes_nothing_the_second_time(loaded) -> None:  # type: ignore[no-untyped-def]
    counts = (
        AuditEvent.objects.count(),
        MonthlyInvestment.objects.count(),
        KeyProjectEntry.objects.count(),
        Project.objects.count(),
    )
    demo.load_demo()
    assert (
        AuditEvent.objects.count(),
        MonthlyInvestment.objects.count(),
        KeyProjectEntry.objects.count(),
        Project.objects.count(),
    ) == counts
