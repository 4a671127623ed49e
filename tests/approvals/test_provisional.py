"""预计: a due date counted through a year without a State Council notice is marked as such
on the tracker, the board, the home panel, in the Excel export and in the API."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
import time_machine
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests.helpers import signed_in_client
from zhaoshang.approvals import services
from zhaoshang.approvals.choices import ItemStatus
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.core.models import User

pytestmark = pytest.mark.django_db

BADGE = '<span class="badge warn">预计</span>'
DEC_21 = dt.date(2026, 12, 21)


@pytest.fixture
def december() -> Iterator[None]:
    """2026-12-21: 10 working days from here fall into 2027, whose notice is not out."""
    with time_machine.travel(dt.datetime(2026, 12, 21, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


def accept(item: ApprovalItem, user: User, on: dt.date) -> ApprovalItem:
    for status in (ItemStatus.SUBMITTED, ItemStatus.ACCEPTED):
        services.item_move(acting_user=user, item=item, to_status=status, event_date=on)
    item.refresh_from_db()
    return item


@pytest.fixture
def items(plan, fire, staff, december):  # type: ignore[no-untyped-def]
    """消防设计审查 due in 2027 (预计); 用地预审 due in 2026 (a published year, not 预计)."""
    land = next(i for i in plan if i.item_type.name == "用地预审与选址意见书")
    fire = accept(fire, staff, DEC_21)
    land = accept(land, staff, dt.date(2026, 11, 2))
    assert (fire.due_provisional, fire.due_date.year) == (True, 2027)
    assert (land.due_provisional, land.due_date.year) == (False, 2026)
    return fire, land


def test_the_tracker_marks_only_the_provisional_due_date(items, project):
    fire, _land = items
    page = signed_in_client("yc_staff").get(reverse("approvals:project", args=[project.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count(BADGE) == 1
    due = html.index(fire.due_date.isoformat())
    assert html.index(BADGE, due) - due < 80  # next to its date


def test_the_board_and_my_work_mark_it(items):
    fire, _land = items
    client = signed_in_client("yc_staff")
    board = client.get(reverse("approvals:board")).content.decode()
    assert board.count(BADGE) == 1
    due = board.index(fire.due_date.isoformat())
    assert board.index(BADGE, due) - due < 80
    home = client.get("/").content.decode()
    assert BADGE in home


def test_the_export_has_it_in_its_own_column(items):
    fire, land = items
    response = signed_in_client("yc_staff").get(reverse("approvals:board_export"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = rows.to_python()
    column = rows[0].index("预计")
    item_column = rows[0].index("审批事项")
    marks = {row[item_column]: row[column] for row in rows[1:]}
    assert marks[fire.item_type.name] == "是"
    assert marks[land.item_type.name] == ""


def test_the_api_says_provisional(items):
    fire, land = items
    client = signed_in_client("yc_staff")
    detail = client.get(f"/api/v1/approvals/items/{fire.pk}").json()
    assert (detail["provisional"], detail["due_date"]) == (True, fire.due_date.isoformat())
    listed = client.get("/api/v1/approvals/items").json()["items"]
    flags = {row["id"]: row["provisional"] for row in listed}
    assert (flags[fire.pk], flags[land.pk]) == (True, False)
