"""The working-day calendar: the State Council notices, 预计 years, notice entry and its moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import holidays
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang.core import calendar, services
from zhaoshang.core.calendar import (
    DeadlineMove,
    add_working_days,
    add_working_days_marked,
    is_provisional,
    is_working_day,
    span_is_provisional,
    working_dates_in_month,
    working_days_between,
    working_days_in_month,
)
from zhaoshang.core.holiday_rules import statutory_holidays
from zhaoshang.core.models import Alert, AuditEvent, CalendarDay, CalendarNotice, DeadlineChange

pytestmark = pytest.mark.django_db

D = dt.date


def dates(first: D, last: D) -> list[D]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# --- the published arrangements ------------------------------------------------------

#: 国办发明电〔2024〕12号 (2025) and the notice of 2025-11-04 (2026): every block and 调休 day.
ARRANGEMENTS = {
    2025: {
        "off": [
            (D(2025, 1, 1), D(2025, 1, 1)),
            (D(2025, 1, 28), D(2025, 2, 4)),
            (D(2025, 4, 4), D(2025, 4, 6)),
            (D(2025, 5, 1), D(2025, 5, 5)),
            (D(2025, 5, 31), D(2025, 6, 2)),
            (D(2025, 10, 1), D(2025, 10, 8)),
        ],
        "work": [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
    },
    2026: {
        "off": [
            (D(2026, 1, 1), D(2026, 1, 3)),
            (D(2026, 2, 15), D(2026, 2, 23)),
            (D(2026, 4, 4), D(2026, 4, 6)),
            (D(2026, 5, 1), D(2026, 5, 5)),
            (D(2026, 6, 19), D(2026, 6, 21)),
            (D(2026, 9, 25), D(2026, 9, 27)),
            (D(2026, 10, 1), D(2026, 10, 7)),
        ],
        "work": [
            D(2026, 1, 4),
            D(2026, 2, 14),
            D(2026, 2, 28),
            D(2026, 5, 9),
            D(2026, 9, 20),
            D(2026, 10, 10),
        ],
    },
}


@pytest.mark.parametrize("year", sorted(ARRANGEMENTS))
def test_it_follows_the_state_council_notice(year):
    arrangement = ARRANGEMENTS[year]
    off = {day for first, last in arrangement["off"] for day in dates(first, last)}
    for day in off:
        assert not is_working_day(day), day
        assert CalendarDay.objects.get(date=day).kind == "holiday"
    for day in arrangement["work"]:
        assert day.weekday() >= 5 and is_working_day(day), day
        assert CalendarDay.objects.get(date=day).kind == "workday"
    # every other day of the year follows Monday to Friday
    for day in dates(D(year, 1, 1), D(year, 12, 31)):
        if day not in off and day not in arrangement["work"]:
            assert is_working_day(day) == (day.weekday() < 5), day
    assert not is_provisional(D(year, 6, 1))


def test_it_seeds_each_year_with_its_notice():
    notices = {n.year: n for n in CalendarNotice.objects.filter(year__in=[2024, 2025, 2026])}
    assert notices[2024].number == "国办发明电〔2023〕7号"
    assert notices[2025].number == "国办发明电〔2024〕12号"
    assert notices[2025].published == D(2024, 11, 12)
    assert notices[2026].number == "" and notices[2026].published == D(2025, 11, 4)
    assert all(n.source.startswith("chinesecalendar ") for n in notices.values())
    assert CalendarDay.objects.get(date=D(2026, 2, 17)).name == "春节"
    assert CalendarNotice.objects.order_by("year").first().year == 2004


def test_it_counts_from_the_next_day():
    assert add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert add_working_days(D(2026, 9, 30), 0) == D(2026, 9, 30)
    assert working_days_between(D(2026, 10, 13), D(2026, 9, 30)) == 0
    assert add_working_days_marked(D(2026, 9, 30), 5) == (D(2026, 10, 13), False)


def test_it_counts_the_working_days_of_a_month():
    february = working_dates_in_month(2026, 2)
    assert D(2026, 2, 14) in february and D(2026, 2, 16) not in february
    assert working_days_in_month(2026, 2) == len(february) == 16
    assert working_days_in_month(2025, 10) == 18


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=st.dates(D(2024, 1, 1), D(2027, 12, 31)), n=st.integers(0, 400))
def test_the_count_and_the_sum_agree(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)
        assert working_days_between(start, end - dt.timedelta(days=1)) == n - 1
        kind = CalendarDay.objects.filter(date=end).values_list("kind", flat=True).first()
        # never a holiday, never a weekend that is not a 调休 working day
        assert kind != "holiday"
        assert end.year < 2027 or end not in statutory_holidays(end.year)
        assert end.weekday() < 5 or kind == "workday"


# --- a year without a notice (预计) -------------------------------------------------


def test_it_counts_a_year_without_a_notice_with_the_statutory_holidays():
    assert not CalendarNotice.objects.filter(year=2027).exists()
    assert is_provisional(D(2027, 3, 1)) and not is_provisional(D(2026, 3, 1))
    # 除夕 2027-02-05 and 4 days of 春节, 补假 for its weekend days; 清明, 端午, 中秋 (lunar)
    for day in [D(2027, 1, 1), *dates(D(2027, 2, 5), D(2027, 2, 10)), D(2027, 4, 5)]:
        assert not is_working_day(day), day
    for day in [D(2027, 6, 9), D(2027, 9, 15), D(2027, 10, 1), D(2027, 10, 4), D(2027, 10, 5)]:
        assert not is_working_day(day), day
    assert is_working_day(D(2027, 2, 11)) and not is_working_day(D(2027, 2, 13))


def test_it_never_stops_in_december_and_marks_the_result():
    day, provisional = add_working_days_marked(D(2026, 12, 20), 20)
    assert (day, provisional) == (D(2027, 1, 18), True)
    assert span_is_provisional(D(2026, 12, 20), day)
    assert not span_is_provisional(D(2026, 1, 1), D(2026, 12, 31))
    assert working_days_in_month(2027, 2) == 16


def test_it_matches_the_holidays_package_for_the_years_to_come():
    for year in range(2027, 2061):
        assert set(statutory_holidays(year)) == set(holidays.China(years=year)), year


def test_it_refuses_years_it_cannot_know():
    with pytest.raises(ValidationError) as before:
        add_working_days(D(2003, 5, 1), 3)
    assert before.value.code == "calendar_year_missing"
    with pytest.raises(ValidationError) as after:
        add_working_days(D(2099, 12, 1), 100)
    assert after.value.code == "calendar_out_of_range"
    with pytest.raises(ValidationError):
        is_working_day(D(2150, 1, 1))


# --- entering a notice ----------------------------------------------------------------

#: A 2027 notice as the State Council might publish it (for the tests: not a real one).
NOTICE_2027 = [
    *[(day, "holiday", "元旦") for day in dates(D(2027, 1, 1), D(2027, 1, 3))],
    *[(day, "holiday", "春节") for day in dates(D(2027, 2, 5), D(2027, 2, 13))],
    (D(2027, 2, 20), "workday", "春节"),
    *[(day, "holiday", "国庆节") for day in dates(D(2027, 10, 1), D(2027, 10, 7))],
    (D(2027, 9, 26), "workday", "国庆节"),
    (D(2027, 10, 9), "workday", "国庆节"),
]


class FakeDeadlines:
    """An app's open deadlines (start + n working days), recomputed when a notice comes."""

    def __init__(self, items: dict[str, tuple[D, int]], area_id: int | None, owner: int) -> None:
        self.items = items
        self.area_id = area_id
        self.owner = owner
        self.due = {key: add_working_days_marked(s, n) for key, (s, n) in items.items()}
        self.calls: list[set[int]] = []

    def __call__(self, years: set[int]) -> list[DeadlineMove]:
        self.calls.append(years)
        moves = []
        for key, (start, n) in self.items.items():
            old, new = self.due[key], add_working_days_marked(start, n)
            if old != new:
                moves.append(
                    DeadlineMove(
                        object_type="tests.item",
                        object_id=key,
                        object_repr=f"事项{key}",
                        old_date=old.date,
                        new_date=new.date,
                        old_provisional=old.provisional,
                        new_provisional=new.provisional,
                        area_id=self.area_id,
                        owner_user_ids=(self.owner,),
                    )
                )
                self.due[key] = new
        return moves


@pytest.fixture
def deadlines(user_named) -> Iterator[FakeDeadlines]:
    staff = user_named("yc_staff")
    hook = FakeDeadlines(
        {"1": (D(2026, 12, 20), 20), "2": (D(2027, 1, 25), 15), "3": (D(2026, 3, 2), 5)},
        staff.area_id,
        staff.pk,
    )
    told: list[Any] = []

    def moved(changes: list[Any], moves: list[DeadlineMove]) -> None:
        told.append((changes, moves))

    hook.told = told  # type: ignore[attr-defined]
    calendar.register_deadline_recompute(hook)
    calendar.register_deadline_moved(moved)
    yield hook
    calendar.unregister_deadline_recompute(hook)
    calendar.unregister_deadline_moved(moved)


def enter_2027(user: Any, days: list[Any] | None = None, **extra: Any) -> CalendarNotice:
    values = {
        "acting_user": user,
        "year": 2027,
        "number": "国办发明电〔2026〕99号",
        "title": "国务院办公厅关于2027年部分节假日安排的通知",
        "published": D(2026, 11, 20),
        "days": NOTICE_2027 if days is None else days,
        **extra,
    }
    return services.calendar_notice_enter(**values)


def test_entering_a_notice_recomputes_and_records_every_move(user_named, deadlines):
    admin = user_named("yc_admin")
    assert deadlines.due["2"] == (D(2027, 2, 19), True)
    notice = enter_2027(admin)
    assert deadlines.calls == [{2027}]
    assert not is_provisional(D(2027, 3, 1))
    assert is_working_day(D(2027, 2, 20)) and not is_working_day(D(2027, 2, 12))
    changes = {c.object_id: c for c in DeadlineChange.objects.filter(notice=notice)}
    assert set(changes) == {"1", "2"}  # item 3 lies in 2026: untouched
    moved = changes["2"]
    assert (moved.old_date, moved.new_date) == (D(2027, 2, 19), D(2027, 2, 22))
    assert (moved.old_provisional, moved.new_provisional) == (True, False)
    assert "2027" in moved.reason and "国办发明电〔2026〕99号" in moved.reason
    assert moved.area_id == admin.area_id
    confirmed = changes["1"]  # same day, no longer 预计
    assert confirmed.old_date == confirmed.new_date == D(2027, 1, 18)
    assert AuditEvent.objects.filter(object_type="core.deadlinechange").count() == 2
    assert AuditEvent.objects.get(object_type="core.calendarnotice", object_id=str(notice.pk))
    assert [len(changes) for changes, _moves in deadlines.told] == [2]  # type: ignore[attr-defined]
    told = Alert.objects.get(recipient=user_named("yc_staff"), key=f"deadline-moved:{moved.pk}")
    assert (told.kind, told.title) == ("deadline_moved", "期限调整：事项2")
    assert "2027-02-19（预计） → 2027-02-22" in told.body and "99号" in told.body


def test_a_second_entry_corrects_the_notice(user_named, deadlines):
    admin = user_named("yc_admin")
    notice = enter_2027(admin)
    corrected = [d for d in NOTICE_2027 if d[0] != D(2027, 2, 20)]
    again = enter_2027(admin, days=corrected, number="国办发明电〔2026〕100号")
    assert again.pk == notice.pk and again.number == "国办发明电〔2026〕100号"
    assert not is_working_day(D(2027, 2, 20))
    assert CalendarDay.objects.filter(notice=notice).count() == len(corrected)
    audit = AuditEvent.objects.filter(object_type="core.calendarnotice", action="update").get()
    assert ["2027-02-20", "workday", "春节"] in audit.before["days"]
    again_moved = DeadlineChange.objects.get(reason__contains="100号")
    assert (again_moved.old_date, again_moved.new_date) == (D(2027, 2, 22), D(2027, 2, 23))


def counts() -> tuple[int, int, int, int]:
    return (
        CalendarNotice.objects.count(),
        CalendarDay.objects.count(),
        DeadlineChange.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("days", "field", "message"),
    [
        ([], "days", ""),
        ([(D(2027, 2, 6), "workday", "春节")], "days", ""),
        ([(D(2026, 12, 31), "holiday", "元旦")], "days", "2026-12-31"),
        ([(D(2027, 1, 1), "holiday", "元旦")] * 2, "days", "2027-01-01"),
        ([(D(2027, 1, 1), "holiday", "元旦"), (D(2027, 2, 3), "workday", "春节")], "days", "02-03"),
        ([(D(2027, 1, 1), "holiday", " ")], "days", "2027-01-01"),
        ([(D(2027, 1, 1), "nap", "元旦")], "days", "2027-01-01"),
    ],
)
def test_bad_notice_input_is_refused_and_writes_nothing(
    user_named, deadlines, days, field, message
):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        enter_2027(user_named("yc_admin"), days=days)
    assert message in " ".join(refused.value.message_dict[field])
    assert counts() == before and deadlines.calls == []
    assert is_provisional(D(2027, 3, 1))


def test_a_future_publication_date_or_year_out_of_range_is_refused(user_named):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        enter_2027(user_named("yc_admin"), published=D(2099, 1, 1))
    assert "published" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        enter_2027(user_named("yc_admin"), year=2100)
    assert "year" in refused.value.message_dict
    assert counts() == before


def test_a_failing_hook_rolls_the_whole_notice_back(user_named):
    def broken(years: set[int]) -> list[DeadlineMove]:
        assert not is_provisional(D(2027, 3, 1))  # the hook counts with the new days
        raise RuntimeError("hook failed")

    calendar.register_deadline_recompute(broken)
    before = counts()
    try:
        with pytest.raises(RuntimeError):
            enter_2027(user_named("yc_admin"))
    finally:
        calendar.unregister_deadline_recompute(broken)
    assert counts() == before
    assert is_provisional(D(2027, 3, 1))  # the snapshot does not keep the rolled-back days


@pytest.mark.parametrize("username", ["yc_staff", "yc_chief", "yc_supervisor", "zmd_city"])
def test_only_administrators_enter_a_notice(user_named, username):
    before = counts()
    with pytest.raises(PermissionDenied):
        enter_2027(user_named(username))
    assert counts() == before


def test_another_process_sees_a_notice_within_the_recheck_interval(monkeypatch):
    monkeypatch.setattr(calendar, "RECHECK_SECONDS", 0.0)
    calendar.restore(calendar.warm())
    assert is_provisional(D(2027, 3, 1))
    # written by "another process": straight to the table, this process is not told
    notice = CalendarNotice.objects.create(
        year=2027, title="2027", entered_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    )
    CalendarDay.objects.create(date=D(2027, 3, 1), kind="holiday", name="测试", notice=notice)
    assert not is_provisional(D(2027, 3, 1)) and not is_working_day(D(2027, 3, 1))
