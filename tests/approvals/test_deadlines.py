"""The approvals' place in the daily sweep (lights → 提醒) and in a year's holiday notice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.approvals.conftest import TODAY
from tests.core.test_calendar import NOTICE_2027
from zhaoshang.approvals.choices import ItemStatus
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.approvals.sweep import sweep_approvals
from zhaoshang.core import services as core_services
from zhaoshang.core.models import Alert, DeadlineChange
from zhaoshang.core.sweep import run_sweep

pytestmark = pytest.mark.django_db


def _running(item: ApprovalItem, accepted: dt.date, due: dt.date) -> None:
    ApprovalItem.objects.filter(pk=item.pk).update(
        status=ItemStatus.ACCEPTED, accepted_on=accepted, due_date=due
    )


def test_the_sweep_tells_each_red_and_yellow_items_agent_once(plan, staff):
    red, yellow, green = plan
    _running(red, dt.date(2026, 11, 2), dt.date(2026, 11, 20))
    _running(yellow, dt.date(2026, 11, 2), dt.date(2026, 11, 30))
    _running(green, dt.date(2026, 11, 2), dt.date(2026, 12, 10))
    counts = sweep_approvals(TODAY)
    assert (counts["approval_overdue"], counts["approval_due"]) == (1, 1)
    alerts = {a.kind: a for a in Alert.objects.filter(recipient=staff)}
    assert set(alerts) == {"approval_overdue", "approval_due"}
    overdue = alerts["approval_overdue"]
    assert red.item_type.name in overdue.title and "2026-11-20" in overdue.body
    assert overdue.link == f"/approvals/projects/{red.project_id}/"
    assert overdue.object_id == str(red.pk)
    again = sweep_approvals(TODAY)
    assert (again["approval_overdue"], again["approval_due"]) == (0, 0)
    assert Alert.objects.filter(recipient=staff).count() == 2


def test_the_step_runs_in_the_daily_sweep(plan, staff):
    _running(plan[0], dt.date(2026, 11, 2), dt.date(2026, 11, 20))
    results = {r.step.name: r for r in run_sweep(TODAY, only="approvals.items")}
    assert results["approvals.items"].status == "done"
    assert results["approvals.items"].counts["approval_overdue"] == 1


def test_entering_next_years_notice_moves_a_provisional_due_date_and_tells_its_agent(
    fire, staff, user_named
):
    with time_machine.travel(dt.datetime(2026, 12, 21, 2, 0, tzinfo=dt.UTC), tick=False):
        core_services_accept(fire, staff, dt.date(2026, 12, 21))
    fire.refresh_from_db()
    old, version = fire.due_date, fire.version
    assert fire.due_provisional is True and old is not None and old.year == 2027
    core_services.calendar_notice_enter(
        acting_user=user_named("yc_admin"),
        year=2027,
        number="国办发明电〔2026〕99号",
        title="国务院办公厅关于2027年部分节假日安排的通知",
        published=dt.date(2026, 11, 20),
        days=NOTICE_2027,
    )
    fire.refresh_from_db()
    assert fire.due_provisional is False and fire.version == version + 1
    change = DeadlineChange.objects.get(object_type="approvals.approvalitem", object_id=fire.pk)
    assert (change.old_date, change.new_date) == (old, fire.due_date)
    assert (change.old_provisional, change.new_provisional) == (True, False)
    told = Alert.objects.get(recipient=staff, kind="deadline_moved")
    assert fire.item_type.name in told.title


def core_services_accept(item: ApprovalItem, user, on: dt.date) -> None:  # type: ignore[no-untyped-def]
    from zhaoshang.approvals import services

    services.item_move(acting_user=user, item=item, to_status=ItemStatus.SUBMITTED, event_date=on)
    services.item_move(acting_user=user, item=item, to_status=ItemStatus.ACCEPTED, event_date=on)
