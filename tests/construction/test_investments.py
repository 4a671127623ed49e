"""Monthly investment reports: derived YTD and completion %, versioned corrections,
every refusal, and rollups equal to a recomputation from the base rows."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhaoshang.construction.choices import LEVEL_RANK, ListLevel
from zhaoshang.construction.models import (
    InvestmentRollup,
    KeyPlanRollup,
    KeyProjectEntry,
    MonthlyInvestment,
)
from zhaoshang.construction.selectors import investment as selectors
from zhaoshang.construction.services import investment as services
from zhaoshang.core.models import Area, AuditEvent, User
from zhaoshang.projects import services as project_services
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def staff() -> User:
    return User.objects.get(username="yc_staff")


@pytest.fixture
def make_project(staff: User):  # type: ignore[no-untyped-def]
    def make(name: str = "月报测试项目", area: Area | None = None) -> Project:
        return project_services.project_create(
            acting_user=staff,
            area=area or staff.area,
            name=name,
            total_investment=Decimal("90000"),
            event_date=dt.date(2024, 1, 5),
        )

    return make


@pytest.fixture
def listed(make_project, staff):  # type: ignore[no-untyped-def]
    project = make_project()
    services.key_entry_add(
        acting_user=staff,
        project=project,
        year=YEAR,
        level=ListLevel.CITY,
        planned_investment=Decimal("1200"),
    )
    return project


def report(staff: User, project: Project, month: int, amount: str, year: int = YEAR):  # type: ignore[no-untyped-def]
    return services.investment_report(
        acting_user=staff, project=project, year=year, month=month, amount=Decimal(amount)
    )


def test_it_derives_ytd_and_completion(staff, listed):  # type: ignore[no-untyped-def]
    for month, amount in ((1, "100"), (2, "250.5"), (3, "149.5")):
        report(staff, listed, month, amount)
    data = selectors.project_year(listed, YEAR)
    assert [m.ytd for m in data.months[:3]] == [Decimal("100"), Decimal("350.5"), Decimal("500")]
    assert data.done == Decimal("500")
    assert data.pct == Decimal("41.67")  # 500 / 1200 = 41.666… → half up
    row = selectors.key_list(staff, {"year": YEAR, "through": 2}).get(project=listed)
    assert row.ytd == Decimal("350.5")


def test_it_rounds_completion_half_up_and_none_without_plan() -> None:
    assert selectors.completion_pct(Decimal("560960"), Decimal("512000")) == Decimal("109.56")
    assert selectors.completion_pct(Decimal("1"), Decimal("8")) == Decimal("12.50")
    assert selectors.completion_pct(Decimal("0.125"), Decimal("1")) == Decimal("12.50")
    assert selectors.completion_pct(Decimal("5"), Decimal("0")) is None


def test_it_keeps_the_old_value_on_correction(staff, listed):  # type: ignore[no-untyped-def]
    first = report(staff, listed, 4, "300")
    second = report(staff, listed, 4, "320")
    assert second.version == 2 and second.is_current
    first.refresh_from_db()
    assert not first.is_current and first.amount == Decimal("300")
    history = selectors.month_history(listed, YEAR, 4)
    assert [(h.version, h.amount, h.is_current) for h in history] == [
        (2, Decimal("320"), True),
        (1, Decimal("300"), False),
    ]
    event = AuditEvent.objects.filter(object_type="construction.monthlyinvestment").latest("id")
    assert event.action == "update"
    assert Decimal(event.before["amount"]) == Decimal("300")
    assert Decimal(event.after["amount"]) == Decimal("320")
    assert selectors.project_year(listed, YEAR).done == Decimal("320")


def test_it_writes_nothing_for_the_same_amount(staff, listed):  # type: ignore[no-untyped-def]
    report(staff, listed, 5, "77")
    before = (MonthlyInvestment.objects.count(), AuditEvent.objects.count())
    again = report(staff, listed, 5, "77.0000")
    assert services.is_unchanged(again) and again.version == 1
    assert (MonthlyInvestment.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("year", "month", "amount", "field", "words"),
    [
        (None, None, "-1", "amount", "cannot be negative"),
        ("future", None, "10", "month", "future"),
        (YEAR, 13, "10", "month", "between 1 and 12"),
        (2024, 1, "10", "project", "not in any key-project list"),
    ],
)
def test_it_refuses_bad_reports(staff, listed, year, month, amount, field, words):  # type: ignore[no-untyped-def]
    from django.utils import translation

    today = timezone.localdate()
    if year == "future":
        year, month = (today.year + 1, 1)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        report(staff, listed, month or 1, amount, year=year or YEAR)
    assert field in caught.value.error_dict
    assert words in " ".join(caught.value.message_dict[field])
    assert not MonthlyInvestment.objects.filter(project=listed).exists()


def test_it_refuses_in_chinese(staff, listed):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        report(staff, listed, 1, "-5")
    assert "负" in " ".join(caught.value.message_dict["amount"])


def _recomputed(area_ids: set[int], year: int) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """The rollups worked out in Python from the base rows, the slow obvious way."""
    top: dict[int, KeyProjectEntry] = {}
    for e in KeyProjectEntry.objects.filter(area_id__in=area_ids, year=year):
        if e.project_id not in top or LEVEL_RANK[e.level] > LEVEL_RANK[top[e.project_id].level]:
            top[e.project_id] = e
    plans: dict = defaultdict(lambda: [0, Decimal(0)])  # type: ignore[type-arg]
    for e in top.values():
        plans[(e.area_id, e.level)][0] += 1
        plans[(e.area_id, e.level)][1] += e.planned_investment
    sums: dict = defaultdict(lambda: [Decimal(0), 0])  # type: ignore[type-arg]
    for r in MonthlyInvestment.objects.filter(area_id__in=area_ids, year=year, is_current=True):
        if r.project_id in top:
            key = (r.area_id, r.month, top[r.project_id].level)
            sums[key][0] += r.amount
            sums[key][1] += 1
    return (
        {k: (v[0], v[1]) for k, v in plans.items()},
        {k: (v[0], v[1]) for k, v in sums.items()},
    )


def _stored(area_ids: set[int], year: int) -> tuple[dict, dict]:  # type: ignore[type-arg]
    plans = {
        (r.area_id, r.top_level): (r.projects, r.planned)
        for r in KeyPlanRollup.objects.filter(area_id__in=area_ids, year=year)
    }
    sums = {
        (r.area_id, r.month, r.top_level): (r.amount, r.reports)
        for r in InvestmentRollup.objects.filter(area_id__in=area_ids, year=year)
    }
    return plans, sums


def test_it_keeps_rollups_equal_to_a_recomputation(staff, make_project):  # type: ignore[no-untyped-def]
    """Random adds, plan changes, removals, reports and corrections; after each, compare."""
    rng = random.Random(7)  # noqa: S311 - a repeatable sequence, not security
    area = staff.area
    projects = [make_project(f"滚动测试{i}") for i in range(6)]
    levels = list(ListLevel.values)
    for step in range(60):
        project = rng.choice(projects)
        action = rng.choice(["add", "add", "update", "remove", "report", "report", "report"])
        entries = list(KeyProjectEntry.objects.filter(project=project, year=YEAR))
        try:
            if action == "add":
                services.key_entry_add(
                    acting_user=staff,
                    project=project,
                    year=YEAR,
                    level=rng.choice(levels),
                    planned_investment=Decimal(rng.randint(0, 5000)),
                )
            elif action == "update" and entries:
                services.key_entry_update(
                    acting_user=staff,
                    entry=rng.choice(entries),
                    planned_investment=Decimal(rng.randint(0, 5000)),
                )
            elif action == "remove" and entries:
                services.key_entry_remove(acting_user=staff, entry=rng.choice(entries))
            elif action == "report":
                report(staff, project, rng.randint(1, 12), str(rng.randint(0, 300)))
        except ValidationError:
            pass  # refusals (duplicate list, unlisted project) must leave the rollups right too
        assert _stored({area.pk}, YEAR) == _recomputed({area.pk}, YEAR), f"step {step}: {action}"
    assert KeyPlanRollup.objects.filter(area=area, year=YEAR).exists()


def test_it_rebuilds_many_areas_at_once(staff, make_project):  # type: ignore[no-untyped-def]
    city = User.objects.get(username="zmd_city")  # a city officer reaches both districts
    xiping = Area.objects.get(code="411721")
    a = make_project("甲")
    b = project_services.project_create(
        acting_user=city, area=xiping, name="乙", event_date=dt.date(2024, 1, 5)
    )
    for p in (a, b):
        services.key_entry_add(
            acting_user=city, project=p, year=YEAR, level="province", planned_investment=Decimal(9)
        )
        report(city, p, 1, "3")
    InvestmentRollup.objects.all().delete()
    KeyPlanRollup.objects.all().delete()
    services.rollups_rebuild(area_ids=[staff.area_id, xiping.pk], year=YEAR)
    ids = {staff.area_id, xiping.pk}
    assert _stored(ids, YEAR) == _recomputed(ids, YEAR)
    assert len(_stored(ids, YEAR)[0]) == 2
