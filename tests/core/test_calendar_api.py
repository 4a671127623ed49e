"""The calendar over HTTP: /api/v1/calendar (read, add, between), notice entry, the admin form."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from tests.helpers import signed_in_client
from zhaoshang.core import services
from zhaoshang.core.calendar import is_provisional, is_working_day
from zhaoshang.core.models import AuditEvent, CalendarDay, CalendarNotice

pytestmark = pytest.mark.django_db

CALENDAR = "/api/v1/calendar"
NOTICE = {
    "year": 2027,
    "number": "国办发明电〔2026〕99号",
    "title": "国务院办公厅关于2027年部分节假日安排的通知",
    "published": "2026-11-20",
    "days": [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-20", "kind": "workday", "name": "春节"},
    ],
}


def get(username: str, url: str) -> Any:
    return signed_in_client(username).get(url)


def post(client: Client, body: Any, **headers: str) -> Any:
    return client.post(
        f"{CALENDAR}/notices", data=json.dumps(body), content_type="application/json", **headers
    )


def counts() -> tuple[int, int, int]:
    return CalendarNotice.objects.count(), CalendarDay.objects.count(), AuditEvent.objects.count()


def assert_invalid(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error" and field in body["errors"], body


def test_it_lists_the_arrangement_with_the_provisional_years(django_assert_max_num_queries):
    client = signed_in_client("yc_viewer")
    with django_assert_max_num_queries(8):  # session, user, roles, ...; the calendar: 2
        body = client.get(f"{CALENDAR}?start=2026-12-01&end=2027-02-28").json()
    years = {y["year"]: y for y in body["years"]}
    assert years[2026]["provisional"] is False and years[2026]["published"] == "2025-11-04"
    assert years[2027] == {
        "year": 2027,
        "provisional": True,
        "number": None,
        "title": None,
        "published": None,
    }
    days = {d["date"]: d for d in body["days"]}
    assert days["2027-02-05"] == {
        "date": "2027-02-05",
        "kind": "holiday",
        "name": "春节",
        "provisional": True,
    }
    assert days["2027-02-09"]["name"] == "春节（补假）"
    assert all(d["date"] >= "2026-12-01" for d in body["days"])


def test_it_answers_the_count_helpers():
    assert get("yc_staff", f"{CALENDAR}/add?start=2026-09-30&n=5").json() == {
        "date": "2026-10-13",
        "provisional": False,
    }
    assert get("yc_staff", f"{CALENDAR}/add?start=2026-12-20&n=20").json() == {
        "date": "2027-01-18",
        "provisional": True,
    }
    between = get("yc_staff", f"{CALENDAR}/between?start=2026-09-30&end=2026-10-13").json()
    assert between == {"days": 5, "provisional": False}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?start=2026-01-01&end=2027-06-01", "end"),
        ("?start=2026-05-01&end=2026-04-01", "end"),
        ("?start=2026-02-30&end=2026-04-01", "start"),
        ("/add?start=2026-09-30&n=-1", "n"),
        ("/add?start=2026-09-30&n=999999", "n"),
        ("/add?start=2003-01-05&n=3", "start"),
        ("/add?start=2099-12-01&n=900", "start"),
        ("/between?start=2026-01-01&end=banana", "end"),
    ],
)
def test_it_refuses_bad_queries_by_field(query, field):
    assert_invalid(get("yc_staff", f"{CALENDAR}{query}"), field)


def test_an_administrator_enters_a_notice():
    response = post(signed_in_client("yc_admin"), NOTICE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "国办发明电〔2026〕99号" and len(body["days"]) == 2
    assert not is_provisional(dt.date(2027, 3, 1)) and is_working_day(dt.date(2027, 2, 20))
    assert (
        get("yc_staff", f"{CALENDAR}?start=2027-01-01&end=2027-01-31").json()["years"][0][
            "provisional"
        ]
        is False
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"days": [{"date": "2027-02-03", "kind": "workday", "name": "春节"}]}, "days"),
        ({"days": [{"date": "2028-01-01", "kind": "holiday", "name": "元旦"}]}, "days"),
        ({"days": [{"date": "2027-01-01", "kind": "nap", "name": "元旦"}]}, "days.0.kind"),
        ({"days": []}, "days"),
        ({"year": 2100}, "year"),
        ({"title": ""}, "title"),
        ({"published": "2099-01-01"}, "published"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_notices_get_422_by_field_and_write_nothing(change, field):
    before = counts()
    assert_invalid(post(signed_in_client("yc_admin"), {**NOTICE, **change}), field)
    assert counts() == before


@pytest.mark.parametrize("username", ["yc_staff", "yc_chief", "yc_supervisor"])
def test_a_non_administrator_is_refused_with_403(username):
    before = counts()
    assert post(signed_in_client(username), NOTICE).status_code == 403
    assert counts() == before


def test_a_non_administrators_token_is_refused_with_403(user_named):
    _token, secret = services.token_create(
        acting_user=None, user=user_named("yc_chief"), name="etl", scope="write", days=30
    )
    before = counts()
    response = post(Client(), NOTICE, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert counts() == before


def test_the_calendar_needs_a_signed_in_user():
    assert Client().get(f"{CALENDAR}/add?start=2026-09-30&n=5").status_code == 401


# --- the admin -----------------------------------------------------------------------

LINES = "2027-01-01 元旦 休\n2027-02-05~2027-02-11 春节 休\n2027-02-20 春节 班\n"


def admin_form(**change: str) -> dict[str, str]:
    return {
        "year": "2027",
        "number": "国办发明电〔2026〕99号",
        "title": "国务院办公厅关于2027年部分节假日安排的通知",
        "published": "2026-11-20",
        "source": "",
        "lines": LINES,
        "days-TOTAL_FORMS": "0",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        **change,
    }


def test_the_admin_enters_a_notice_as_lines(client_for):
    response = client_for("yc_admin").post("/admin/core/calendarnotice/add/", admin_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    notice = CalendarNotice.objects.get(year=2027)
    assert notice.entered_by.username == "yc_admin"
    assert notice.days.count() == 9
    assert not is_working_day(dt.date(2027, 2, 11)) and is_working_day(dt.date(2027, 2, 20))
    page = client_for("yc_admin").get(f"/admin/core/calendarnotice/{notice.pk}/change/")
    assert "2027-02-20 春节 班" in page.content.decode()


@pytest.mark.parametrize(
    "lines",
    ["2027-01-01 元旦", "2027-13-01 元旦 休", "2027-02-03 春节 班", "2028-01-01 元旦 休"],
)
def test_the_admin_shows_a_bad_line_and_writes_nothing(client_for, lines):
    before = counts()
    response = client_for("yc_admin").post(
        "/admin/core/calendarnotice/add/", admin_form(lines=lines)
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert counts() == before


def test_the_admin_is_closed_to_others(client_for):
    assert client_for("yc_chief").get("/admin/core/calendarnotice/").status_code == 404


def test_the_admin_corrects_a_notice_and_keeps_its_year(client_for):
    client = client_for("yc_admin")
    assert client.get("/admin/core/calendarnotice/add/").status_code == 200
    client.post("/admin/core/calendarnotice/add/", admin_form())
    notice = CalendarNotice.objects.get(year=2027)
    change = f"/admin/core/calendarnotice/{notice.pk}/change/"
    form = admin_form(year="2031", lines="2027-01-01~2027-01-03 元旦 休")
    assert client.post(change, form).status_code == 302
    notice.refresh_from_db()
    assert notice.year == 2027 and notice.days.count() == 3
    # the year now counts its notice alone: the 春节 lines are gone, and nothing is guessed
    assert is_working_day(dt.date(2027, 2, 8)) and not is_provisional(dt.date(2027, 2, 8))
