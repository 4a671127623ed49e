"""The approval clock: due dates from 受理, pauses, 容缺 promises, 补录, lights and the sweep."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from tests.approvals.conftest import TODAY
from zhaoshang.approvals import selectors, services
from zhaoshang.approvals.choices import ItemStatus, PauseKind
from zhaoshang.approvals.models import ApprovalEvent, ApprovalItem, ApprovalPause
from zhaoshang.approvals.sweep import sweep
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.core.versions import ConflictError

pytestmark = pytest.mark.django_db

NOV = dt.date(2026, 11, 1)


def day(n: int) -> dt.date:
    return NOV.replace(day=n)


def accept(item: ApprovalItem, user: User, on: dt.date) -> None:
    services.item_move(acting_user=user, item=item, to_status=ItemStatus.SUBMITTED, event_date=on)
    services.item_move(acting_user=user, item=item, to_status=ItemStatus.ACCEPTED, event_date=on)


def written() -> tuple[int, int, int]:
    return ApprovalEvent.objects.count(), ApprovalPause.objects.count(), AuditEvent.objects.count()


def light_of(item: ApprovalItem, today: dt.date = TODAY) -> str:
    return selectors.with_light(ApprovalItem.objects.filter(pk=item.pk), today).get().live_light  # type: ignore[attr-defined]


# --- due date ------------------------------------------------------------------------------


def test_it_counts_the_due_date_from_acceptance_on_the_promised_limit(fire, staff):
    accept(fire, staff, day(2))  # Monday; 10 working days, the day itself not counted
    fire.refresh_from_db()
    assert (fire.status, fire.accepted_on, fire.due_date) == ("accepted", day(2), day(16))
    assert fire.due_provisional is False
    moves = list(fire.events.order_by("id").values_list("from_stage", "to_stage"))
    assert moves == [("", "not_started"), ("not_started", "submitted"), ("submitted", "accepted")]


def test_it_marks_a_due_date_through_an_unpublished_year_provisional(fire, staff):
    with time_machine.travel(dt.datetime(2026, 12, 21, 2, 0, tzinfo=dt.UTC), tick=False):
        accept(fire, staff, dt.date(2026, 12, 21))
    fire.refresh_from_db()
    assert fire.due_date is not None and fire.due_date.year == 2027
    assert fire.due_provisional is True


def test_the_default_promise_is_two_thirds_of_the_legal_limit(catalogue):
    assert [(t.legal_limit, t.promised_limit) for t in catalogue] == [(20, 13), (15, 10), (7, 4)]


def test_it_refuses_a_promise_above_the_legal_limit_and_writes_nothing(catalogue, staff):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.item_type_update(
            acting_user=staff, item_type=catalogue[1], expected_version=1, promised_limit=16
        )
    assert caught.value.message_dict["promised_limit"] == [
        gettext("The promised limit cannot exceed the legal limit.")
    ]
    catalogue[1].refresh_from_db()
    assert (catalogue[1].promised_limit, AuditEvent.objects.count()) == (10, before)


# --- pauses --------------------------------------------------------------------------------


def test_a_pause_moves_the_due_date_by_its_working_days(fire, staff):
    accept(fire, staff, day(2))
    services.pause_open(
        acting_user=staff, item=fire, kind=PauseKind.EXPERT_REVIEW, reason="专家评审", start=day(4)
    )
    assert light_of(fire) == "paused"
    pause = services.pause_close(acting_user=staff, item=fire, end=day(9))  # Thu → Mon
    fire.refresh_from_db()
    assert (pause.working_days, fire.paused_days, fire.due_date) == (3, 3, day(19))


def test_a_paused_item_cannot_move_and_a_second_pause_is_refused(fire, staff):
    accept(fire, staff, day(2))
    services.pause_open(
        acting_user=staff, item=fire, kind=PauseKind.HEARING, reason="听证", start=day(4)
    )
    before = written()
    with pytest.raises(ValidationError) as caught:
        services.item_move(
            acting_user=staff, item=fire, to_status=ItemStatus.APPROVED, event_date=day(20)
        )
    assert caught.value.message_dict["to_status"] == [
        gettext("The clock is paused: resume it first.")
    ]
    with pytest.raises(ValidationError):
        services.pause_open(
            acting_user=staff, item=fire, kind=PauseKind.TESTING, reason="检测", start=day(5)
        )
    assert written() == before


def test_a_pause_needs_a_running_clock(fire, staff):
    with pytest.raises(ValidationError) as caught:
        services.pause_open(acting_user=staff, item=fire, kind=PauseKind.HEARING, reason="听证")
    assert "item" in caught.value.message_dict
    assert ApprovalPause.objects.count() == 0


# --- 容缺受理 --------------------------------------------------------------------------------


def test_a_missing_material_is_a_promise_that_turns_red_when_late(fire, staff, project):
    accept(fire, staff, day(2))
    promise = services.promise_add(
        acting_user=staff, item=fire, material="消防设计文件（电子版）", promised_by=day(20)
    )
    [item] = [i for i in selectors.project_items(project, TODAY) if i.pk == fire.pk]
    [shown] = item.promises.all()
    assert shown.is_overdue is True  # type: ignore[attr-defined]
    services.promise_fulfil(acting_user=staff, promise=promise, fulfilled_on=day(25))
    [item] = [i for i in selectors.project_items(project, TODAY) if i.pk == fire.pk]
    assert [p.is_overdue for p in item.promises.all()] == [False]  # type: ignore[attr-defined]


def test_a_promise_needs_an_application_and_a_date_after_it(fire, staff):
    with pytest.raises(ValidationError):
        services.promise_add(acting_user=staff, item=fire, material="图纸", promised_by=day(20))
    accept(fire, staff, day(10))
    with pytest.raises(ValidationError) as caught:
        services.promise_add(acting_user=staff, item=fire, material="图纸", promised_by=day(3))
    assert "promised_by" in caught.value.message_dict
    assert fire.promises.count() == 0


# --- moves, 补录, refusals --------------------------------------------------------------------


def test_an_event_more_than_two_working_days_back_is_a_late_entry(fire, staff):
    services.item_move(
        acting_user=staff, item=fire, to_status=ItemStatus.SUBMITTED, event_date=day(20)
    )
    services.item_move(
        acting_user=staff, item=fire, to_status=ItemStatus.ACCEPTED, event_date=day(25)
    )
    late, on_time = fire.events.filter(from_stage__gt="").order_by("id")
    assert (late.late_entry, on_time.late_entry) == (True, False)  # 5 and 2 working days back
    assert late.actor == staff and late.recorded_at.date() == TODAY


def test_an_illegal_move_is_refused_with_a_message_and_writes_nothing(fire, staff):
    before = written()
    with pytest.raises(ValidationError) as caught:
        services.item_move(
            acting_user=staff, item=fire, to_status=ItemStatus.ACCEPTED, event_date=day(2)
        )
    assert caught.value.message_dict["to_status"] == [
        gettext("Stages cannot be skipped: the next stage is “%(stage)s”.")
        % {"stage": gettext("Submitted")}
    ]
    with pytest.raises(ValidationError) as caught:
        services.item_move(
            acting_user=staff, item=fire, to_status=ItemStatus.SUBMITTED, event_date=day(30)
        )
    assert "event_date" in caught.value.message_dict
    with pytest.raises(ValidationError):  # a refusal only after acceptance
        services.item_move(
            acting_user=staff, item=fire, to_status=ItemStatus.REFUSED, reason="不符合规划"
        )
    fire.refresh_from_db()
    assert (fire.status, fire.version, written()) == ("not_started", 1, before)


def test_a_refusal_needs_a_reason_and_ends_the_item(fire, staff):
    accept(fire, staff, day(2))
    with pytest.raises(ValidationError):
        services.item_move(acting_user=staff, item=fire, to_status=ItemStatus.REFUSED)
    services.item_move(
        acting_user=staff, item=fire, to_status=ItemStatus.REFUSED, reason="不符合消防技术标准"
    )
    fire.refresh_from_db()
    assert (fire.status, fire.outcome, fire.done_on) == ("refused", "不符合消防技术标准", TODAY)
    with pytest.raises(ValidationError):
        services.item_move(acting_user=staff, item=fire, to_status=ItemStatus.APPROVED)


def test_a_stale_version_is_a_conflict(fire, staff):
    with pytest.raises(ConflictError):
        services.item_move(
            acting_user=staff,
            item=fire,
            to_status=ItemStatus.SUBMITTED,
            event_date=day(2),
            expected_version=7,
        )
    assert fire.events.count() == 1


def test_a_reader_and_a_sibling_district_are_refused(fire, user_named):
    with pytest.raises(PermissionDenied):
        services.item_move(
            acting_user=user_named("yc_viewer"), item=fire, to_status=ItemStatus.SUBMITTED
        )
    with pytest.raises(ValidationError) as caught:
        services.item_move(
            acting_user=user_named("xp_staff"), item=fire, to_status=ItemStatus.SUBMITTED
        )
    assert "area" in caught.value.message_dict
    assert fire.events.count() == 1


# --- lights and the sweep -------------------------------------------------------------------


def _due(item: ApprovalItem, due: dt.date) -> ApprovalItem:
    ApprovalItem.objects.filter(pk=item.pk).update(
        status=ItemStatus.ACCEPTED, accepted_on=day(2), due_date=due
    )
    return item


@pytest.mark.parametrize(
    ("due", "light"),
    [
        (day(26), "red"),  # yesterday
        (day(27), "yellow"),  # today: nothing left
        (day(30), "yellow"),  # Monday: one working day left
        (dt.date(2026, 12, 1), "green"),  # two working days left
    ],
)
def test_the_light_at_its_boundaries(fire, due, light):
    assert light_of(_due(fire, due)) == light


def test_a_concluded_item_is_on_time_or_late_by_working_days(fire):
    ApprovalItem.objects.filter(pk=fire.pk).update(
        status=ItemStatus.APPROVED, accepted_on=day(2), due_date=day(16), done_on=day(19)
    )
    fire.refresh_from_db()
    assert (light_of(fire), selectors.late_days(fire)) == ("late", 3)


def test_the_sweep_stores_the_lights_set_based_and_a_second_run_writes_nothing(plan):
    red, yellow, green = plan
    _due(red, day(20)), _due(yellow, day(30)), _due(green, dt.date(2026, 12, 10))
    first = sweep(TODAY)
    assert (first["red"], first["yellow"], first["green"], first["notify"]) == (1, 1, 1, 2)
    stored = dict(ApprovalItem.objects.filter(project=red.project).values_list("pk", "light"))
    assert stored == {red.pk: "red", yellow.pk: "yellow", green.pk: "green"}
    assert ApprovalItem.objects.get(pk=red.pk).overdue is True
    assert {i.pk for i in selectors.to_notify(TODAY)} == {red.pk, yellow.pk}
    second = sweep(TODAY)
    assert set(second.values()) == {0}


def test_the_sweep_agrees_with_the_live_light(plan):
    _due(plan[0], day(27))
    sweep(TODAY)
    rows = selectors.with_light(ApprovalItem.objects.filter(pk__in=[i.pk for i in plan]), TODAY)
    assert {(i.light, i.live_light) for i in rows} == {("yellow", "yellow"), ("", "")}  # type: ignore[attr-defined]


def test_the_project_total_counts_from_the_first_acceptance_minus_pauses(plan, staff, project):
    first, fire, _permit = plan
    accept(first, staff, day(2))
    accept(fire, staff, day(9))
    services.pause_open(
        acting_user=staff, item=fire, kind=PauseKind.CORRECTION, reason="补正", start=day(10)
    )
    services.pause_close(acting_user=staff, item=fire, end=day(12))  # 11, 12: 2 days
    items = selectors.project_items(project, TODAY)
    total = selectors.total_time(project, items, TODAY)
    assert (total.first_accepted, total.paused, total.elapsed, total.target) == (day(2), 2, 17, 60)
    assert total.light == "green"


# --- settings --------------------------------------------------------------------------------


def test_the_area_settings_set_the_default_promise_and_the_target(staff, yicheng, user_named):
    services.settings_save(
        acting_user=staff, area=yicheng, ratio_numerator=1, ratio_denominator=2, total_target=45
    )
    assert selectors.settings_of(yicheng).total_target == 45
    assert services.promised_default(20, selectors.settings_of(yicheng)) == 10
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.settings_save(
            acting_user=staff, area=yicheng, ratio_numerator=3, ratio_denominator=2, total_target=45
        )
    assert "ratio_numerator" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.settings_save(
            acting_user=user_named("xp_staff"),
            area=yicheng,
            ratio_numerator=1,
            ratio_denominator=1,
            total_target=10,
        )
    current = selectors.settings_of(yicheng)
    assert (current.ratio_numerator, current.ratio_denominator, AuditEvent.objects.count()) == (
        1,
        2,
        before,
    )
