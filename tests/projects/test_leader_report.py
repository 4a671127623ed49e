"""The leaders' “二分之一” report: working days of the month, each once, none in the future."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from zhaoshang.core.choices import RoleCode
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.projects import selectors, services
from zhaoshang.projects.models import Activity

pytestmark = pytest.mark.django_db

# “Today” is Friday 2026-11-20, a working day: November counts up to it, December has not begun.
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
REPORT = "/projects/reports/leaders/"


@pytest.fixture(autouse=True)
def _today():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff(user_named):  # type: ignore[no-untyped-def]
    return user_named("yc_staff")


@pytest.fixture
def leader(staff) -> User:  # type: ignore[no-untyped-def]
    """A leader of Yicheng with no demo activities, so every day counted is the test's own."""
    return UserFactory(  # type: ignore[no-any-return]
        username="test_leader", full_name="测试领导", area=staff.area, roles=[RoleCode.LEADER]
    )


def record(staff: User, leader: User, start: dt.date, days: str, kind: str = "visit") -> Activity:
    return services.activity_create(
        acting_user=staff,
        area=staff.area,
        kind=kind,
        date=start,
        days=Decimal(days),
        people=[leader],
    )


def counted(staff: User, leader: User, year: int, month: int) -> tuple[Any, ...]:
    rows = selectors.leader_activity_days(staff, year, month)
    row = next(r for r in rows if r["leader"] == leader)
    return row["days"], row["working_days"], row["share"], row["meets_half"]


def test_it_counts_a_31_day_october_exhibition_as_its_18_working_days(staff, leader):
    record(staff, leader, dt.date(2026, 10, 1), "31", kind="exhibition")
    assert counted(staff, leader, 2026, 10) == (18, 18, 100.0, True)


def test_it_splits_a_trip_across_months_by_working_days(staff, leader):
    # 09-28 … 10-03: 28, 29, 30 September are working days; 1–3 October are 国庆 and a Saturday.
    record(staff, leader, dt.date(2026, 9, 28), "6")
    # 10-30 … 11-03: Friday 30 October; Monday 2 and Tuesday 3 November.
    record(staff, leader, dt.date(2026, 10, 30), "5")
    assert counted(staff, leader, 2026, 9) == (3, 22, 13.6, False)
    assert counted(staff, leader, 2026, 10)[:2] == (1, 18)
    assert counted(staff, leader, 2026, 11)[:2] == (2, 21)


def test_it_counts_a_day_covered_by_two_activities_once(staff, leader):
    record(staff, leader, dt.date(2026, 3, 5), "4")  # Thu 5 … Sun 8: 5, 6
    record(staff, leader, dt.date(2026, 3, 6), "4.5")  # Fri 6 … Tue 10: 6, 9, 10
    record(staff, leader, dt.date(2026, 3, 9), "0.5")  # Mon 9
    assert counted(staff, leader, 2026, 3)[:2] == (4, 22)


def test_it_never_gives_a_share_above_100_percent(staff, leader):
    record(staff, leader, dt.date(2026, 9, 15), "45.5", kind="exhibition")  # 09-15 … 10-30
    record(staff, leader, dt.date(2026, 10, 1), "31", kind="exhibition")
    record(staff, leader, dt.date(2026, 10, 10), "1")  # a make-up Saturday (调休), a working day
    record(staff, leader, dt.date(2026, 10, 3), "1")  # a holiday: not a working day
    assert counted(staff, leader, 2026, 10) == (18, 18, 100.0, True)
    for month in range(1, 12):
        days, working, share, _ = counted(staff, leader, 2026, month)
        assert days <= working and share <= 100


def test_it_never_counts_a_day_after_today(staff, leader):
    """A row recorded before spans were checked may reach past today; those days wait."""
    legacy = Activity.objects.create(
        area=staff.area, kind="exhibition", date=dt.date(2026, 11, 16), days=10, created_by=staff
    )
    legacy.people.set([leader])  # covers 11-16 … 11-25; Monday 16 to Friday 20 have passed
    assert counted(staff, leader, 2026, 11)[:2] == (5, 21)


def test_it_refuses_a_month_that_has_not_begun(staff, leader):
    with pytest.raises(ValidationError) as refused:
        selectors.leader_activity_days(staff, 2026, 12)
    assert refused.value.code == "month_in_future" and "2026-12" in refused.value.messages[0]


def test_it_refuses_an_activity_whose_days_reach_past_today_and_writes_nothing(staff, leader):
    before = (Activity.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        record(staff, leader, dt.date(2026, 11, 19), "2.5")
    assert refused.value.message_dict == {
        "days": ["用时超过了今天：自2026-11-19起的2.5天将持续到2026-11-21。请在活动结束后再登记。"]
    }
    assert (Activity.objects.count(), AuditEvent.objects.count()) == before
    assert record(staff, leader, dt.date(2026, 11, 19), "2").last_date == TODAY


def test_it_shows_the_refused_span_on_the_days_field(client_for, user_named):
    project = services.project_create(
        acting_user=user_named("yc_staff"), area=user_named("yc_staff").area, name="跨期项目"
    )
    page = client_for("yc_staff").post(
        f"/projects/{project.pk}/activities/new/",
        {"kind": "exhibition", "date": "2026-11-18", "days": "7"},
    )
    assert page.status_code == 200 and not project.activities.exists()
    assert page.context["form"].errors["days"] == [
        "用时超过了今天：自2026-11-18起的7天将持续到2026-11-24。请在活动结束后再登记。"
    ]


@pytest.mark.parametrize(
    "month, reason",
    [("2003-05", "2003"), ("9999-12", "9999"), ("2026-12", "2026-12")],
)
def test_it_shows_a_month_it_cannot_count_instead_of_failing(client_for, month, reason):
    page = client_for("yc_chief").get(f"{REPORT}?month={month}")
    body = page.content.decode()
    assert page.status_code == 200
    assert "该月无法统计" in body and reason in body and "陈志远" not in body


def test_it_shows_the_outsider_none_of_the_districts_leaders(client_for, staff, leader):
    record(staff, leader, dt.date(2026, 10, 1), "31", kind="exhibition")
    assert "测试领导" in client_for("yc_chief").get(f"{REPORT}?month=2026-10").content.decode()
    outside = client_for("xp_staff").get(f"{REPORT}?month=2026-10")
    assert outside.status_code == 200 and "测试领导" not in outside.content.decode()
    assert all(row["leader"].area.code != "411702" for row in outside.context["rows"])


def test_it_pins_the_report_query_count(client_for, staff, leader, django_assert_num_queries):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client_for("yc_chief").get(f"{REPORT}?month=2026-10").status_code == 200
        return len(ctx)

    record(staff, leader, dt.date(2026, 10, 1), "31", kind="exhibition")
    few = page_queries()
    for start in range(5, 25, 3):
        record(staff, leader, dt.date(2026, 10, start), "3")
    UserFactory(area=staff.area, roles=[RoleCode.LEADER])
    assert page_queries() == few
    with django_assert_num_queries(2):  # the leaders, their activities
        selectors.leader_activity_days(staff, 2026, 10)
