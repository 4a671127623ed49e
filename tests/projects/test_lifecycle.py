"""Project lifecycle: every illegal move is refused with a message and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import PersonFactory
from zhaoshang.core.choices import PersonRank
from zhaoshang.core.models import Area, AuditEvent
from zhaoshang.core.versions import ConflictError
from zhaoshang.projects import selectors, services
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project, StageEvent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def staff(user_named):  # type: ignore[no-untyped-def]
    return user_named("yc_staff")


@pytest.fixture
def project(staff):  # type: ignore[no-untyped-def]
    return services.project_create(
        acting_user=staff,
        area=staff.area,
        name="测试项目",
        investor_name="测试投资方",
        total_investment=Decimal("5000"),
        event_date=TODAY - dt.timedelta(days=100),
    )


def move(project: Project, staff, to: str, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("event_date", TODAY - dt.timedelta(days=50))
    return services.project_transition(acting_user=staff, project=project, to_stage=to, **kw)


def walk_to_signed(project: Project, staff) -> None:  # type: ignore[no-untyped-def]
    move(project, staff, Stage.INTENTION)
    move(project, staff, Stage.NEGOTIATION)
    move(
        project,
        staff,
        Stage.SIGNED,
        contract_date=TODAY - dt.timedelta(days=50),
        contracted_amount=Decimal("5000"),
    )


def assert_refused(project: Project, staff, to: str, field: str, text: str, **kw) -> None:  # type: ignore[no-untyped-def]
    stored = Project.objects.get(pk=project.pk)
    events, audits = StageEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        move(project, staff, to, **kw)
    assert text in " ".join(info.value.message_dict[field])
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.stage, fresh.version) == (stored.stage, stored.version)
    assert (StageEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


def test_it_records_each_move_with_who_when_and_an_audit_row(project, staff):
    event = move(project, staff, Stage.INTENTION, note="首次洽谈")
    assert (event.from_stage, event.to_stage, event.actor, event.note) == (
        Stage.LEAD,
        Stage.INTENTION,
        staff,
        "首次洽谈",
    )
    project.refresh_from_db()
    assert (project.stage, project.version) == (Stage.INTENTION, 2)
    audit = AuditEvent.objects.latest("id")
    assert audit.after["stage"] == Stage.INTENTION and audit.before == {"stage": Stage.LEAD}


def test_it_audits_the_gate_data_written_with_a_move(project, staff):
    walk_to_signed(project, staff)
    audit = AuditEvent.objects.latest("id")
    signed_on = (TODAY - dt.timedelta(days=50)).isoformat()
    assert audit.before == {
        "stage": Stage.NEGOTIATION,
        "contract_date": None,
        "contracted_amount": None,
    }
    assert audit.after["stage"] == Stage.SIGNED
    assert (audit.after["contract_date"], audit.after["contracted_amount"]) == (signed_on, "5000")
    move(project, staff, Stage.LANDED, start_date=TODAY)  # a value the gate does not need yet
    audit = AuditEvent.objects.latest("id")
    assert audit.before == {"stage": Stage.SIGNED, "start_date": None}
    assert audit.after["start_date"] == TODAY.isoformat()


def test_it_refuses_skipping_a_stage(project, staff):
    assert_refused(project, staff, Stage.NEGOTIATION, "to_stage", "不能跳过")


def test_it_refuses_the_same_stage(project, staff):
    assert_refused(project, staff, Stage.LEAD, "to_stage", "已处于")


def test_it_refuses_signing_without_contract_date_and_amount(project, staff):
    move(project, staff, Stage.INTENTION)
    move(project, staff, Stage.NEGOTIATION)
    assert_refused(project, staff, Stage.SIGNED, "contract_date", "签约日期")
    assert_refused(
        project, staff, Stage.SIGNED, "contracted_amount", "签约金额", contract_date=TODAY
    )


def test_it_refuses_construction_without_a_start_date(project, staff):
    walk_to_signed(project, staff)
    move(project, staff, Stage.LANDED)
    assert_refused(project, staff, Stage.CONSTRUCTION, "start_date", "开工日期")
    move(
        project,
        staff,
        Stage.CONSTRUCTION,
        start_date=TODAY - dt.timedelta(days=10),
        event_date=TODAY - dt.timedelta(days=10),
    )
    assert Project.objects.get(pk=project.pk).start_date == TODAY - dt.timedelta(days=10)


@pytest.mark.parametrize("side", [Stage.PAUSED, Stage.TERMINATED])
def test_it_needs_a_reason_to_pause_or_terminate(project, staff, side):
    assert_refused(project, staff, side, "reason", "原因")
    move(project, staff, side, reason="资金未到位")
    assert Project.objects.get(pk=project.pk).stage == side


def test_it_needs_a_reason_to_move_back(project, staff):
    move(project, staff, Stage.INTENTION)
    assert_refused(project, staff, Stage.LEAD, "to_stage", "原因")
    move(project, staff, Stage.LEAD, reason="投资方重新评估")
    assert Project.objects.get(pk=project.pk).stage == Stage.LEAD


def test_it_resumes_a_paused_project_only_where_it_stopped(project, staff):
    move(project, staff, Stage.INTENTION)
    move(project, staff, Stage.PAUSED, reason="春节停工")
    assert_refused(project, staff, Stage.NEGOTIATION, "to_stage", "意向")
    move(project, staff, Stage.INTENTION)
    assert Project.objects.get(pk=project.pk).stage == Stage.INTENTION


def test_it_never_moves_a_terminated_project(project, staff):
    move(project, staff, Stage.TERMINATED, reason="投资方撤资")
    for stage in (Stage.LEAD, Stage.INTENTION, Stage.PAUSED):
        assert_refused(project, staff, stage, "to_stage", "已终止", reason="x")


def test_it_refuses_a_future_or_out_of_order_date(project, staff):
    assert_refused(
        project,
        staff,
        Stage.INTENTION,
        "event_date",
        "未来",
        event_date=TODAY + dt.timedelta(days=1),
    )
    assert_refused(
        project,
        staff,
        Stage.INTENTION,
        "event_date",
        "之前",
        event_date=TODAY - dt.timedelta(days=200),
    )


def test_it_refuses_a_stale_version(project, staff):
    stale = project.version
    move(project, staff, Stage.INTENTION)
    with pytest.raises(ConflictError):
        services.project_update(
            acting_user=staff,
            project=Project.objects.get(pk=project.pk),
            expected_version=stale,
            name="改名",
        )
    assert Project.objects.get(pk=project.pk).name == "测试项目"


def test_it_refuses_creating_a_signed_project_without_contract_data(staff):
    count = Project.objects.count()
    with pytest.raises(ValidationError) as info:
        services.project_create(
            acting_user=staff, area=staff.area, name="直接签约", stage=Stage.SIGNED
        )
    assert "contract_date" in info.value.message_dict
    assert Project.objects.count() == count


def test_it_refuses_chain_members_from_another_area(staff, person_named):
    with pytest.raises(ValidationError) as info:
        services.project_create(
            acting_user=staff, area=staff.area, name="跨区", lead_cadre=person_named("xp_staff")
        )
    assert "lead_cadre" in info.value.message_dict
    officers = [PersonFactory(area=staff.area, rank=PersonRank.OFFICER) for _ in range(3)]
    with pytest.raises(ValidationError) as info:
        services.project_create(
            acting_user=staff, area=staff.area, name="三人跟踪", trackers=officers
        )
    assert "trackers" in info.value.message_dict
    assert not Project.objects.filter(name__in=["跨区", "三人跟踪"]).exists()


def test_it_lets_a_city_leader_lead_a_district_project(staff):
    city = staff.area.parent
    leader = PersonFactory(area=city, name="市领导", rank=PersonRank.DISTRICT_LEADER)
    project = services.project_create(
        acting_user=staff, area=staff.area, name="市领导牵头", lead_cadre=leader
    )
    assert project.lead_cadre == leader


def test_it_measures_time_in_each_stage(project, staff):
    move(project, staff, Stage.INTENTION, event_date=TODAY - dt.timedelta(days=60))
    move(project, staff, Stage.NEGOTIATION, event_date=TODAY - dt.timedelta(days=20))
    assert dict(selectors.time_in_stages(project, TODAY)) == {
        Stage.LEAD: 40,
        Stage.INTENTION: 40,
        Stage.NEGOTIATION: 20,
    }


def test_it_flags_a_project_without_progress_as_stuck(project, staff):
    listed = {p.pk: selectors.is_stuck(p) for p in selectors.project_list(staff)}
    assert listed[project.pk] is True  # created 100 days ago, nothing since
    services.activity_create(
        acting_user=staff,
        area=staff.area,
        project=project,
        kind="visit",
        date=TODAY - dt.timedelta(days=3),
    )
    listed = {p.pk: selectors.is_stuck(p) for p in selectors.project_list(staff)}
    assert listed[project.pk] is False
    assert project.pk not in {p.pk for p in selectors.project_list(staff, {"stuck": True})}


def listed(project: Any, level: str) -> None:
    """Put ``project`` in this year's key list of ``level`` (key projects are a year's)."""
    from django.utils import timezone

    from zhaoshang.construction.services.investment import key_entry_add

    key_entry_add(
        acting_user=None,
        project=project,
        year=timezone.localdate().year,
        level=level,
        planned_investment=Decimal(0),
    )


def test_it_reports_incomplete_chains_of_key_projects(staff, user_named, person_named):
    full = services.project_create(
        acting_user=staff,
        area=staff.area,
        name="完整",
        lead_cadre=person_named("yc_leader"),
        responsible_chief=person_named("yc_chief"),
        frontline_sub_chief=person_named("yc_subchief"),
        trackers=[person_named("yc_staff"), PersonFactory(area=staff.area)],
        cooperating_units=[user_named("yc_chief").unit],
    )
    partial = services.project_create(
        acting_user=staff,
        area=staff.area,
        name="缺人",
        lead_cadre=PersonFactory(area=staff.area, rank=PersonRank.DIVISION),
    )
    listed(full, "city")
    listed(partial, "district")
    report = dict(selectors.incomplete_chains(staff))
    assert full not in report
    assert report[partial] == [
        "responsible_chief",
        "frontline_sub_chief",
        "trackers",
        "cooperating_units",
    ]


def test_it_counts_leader_activity_days_against_working_days(staff, user_named):
    leader = user_named("yc_leader")
    services.activity_create(
        acting_user=staff,
        area=staff.area,
        kind="exhibition",
        date=dt.date(2026, 3, 2),
        days=Decimal("3"),
        people=[leader],
    )
    services.activity_create(
        acting_user=staff, area=staff.area, kind="visit", date=dt.date(2026, 3, 3), people=[leader]
    )
    row = next(r for r in selectors.leader_activity_days(staff, 2026, 3) if r["leader"] == leader)
    assert (row["days"], row["working_days"], row["meets_half"]) == (3, 22, False)


def test_it_refuses_a_month_not_yet_begun(staff):
    with pytest.raises(ValidationError, match="2099-01"):
        selectors.leader_activity_days(staff, 2099, 1)


def test_it_refuses_future_activities_and_outsiders(staff, user_named):
    with pytest.raises(ValidationError):
        services.activity_create(
            acting_user=staff, area=staff.area, kind="visit", date=TODAY + dt.timedelta(days=2)
        )
    with pytest.raises(ValidationError):
        services.activity_create(
            acting_user=staff,
            area=staff.area,
            kind="visit",
            date=TODAY,
            people=[user_named("xp_staff")],
        )
    with pytest.raises(ValidationError):
        services.activity_create(
            acting_user=staff,
            area=Area.objects.get(code="411721"),
            kind="visit",
            date=TODAY,
            project=services.project_create(acting_user=staff, area=staff.area, name="本区项目"),
        )


def test_it_records_the_production_date_when_a_project_goes_into_production(project, staff):
    walk_to_signed(project, staff)
    move(project, staff, Stage.LANDED)
    move(project, staff, Stage.CONSTRUCTION, start_date=TODAY - dt.timedelta(days=50))
    move(project, staff, Stage.PRODUCTION, event_date=TODAY - dt.timedelta(days=3))
    project.refresh_from_db()
    assert project.production_date == TODAY - dt.timedelta(days=3)
    audit = AuditEvent.objects.latest("id")
    assert audit.before["production_date"] is None
    assert audit.after["production_date"] == (TODAY - dt.timedelta(days=3)).isoformat()


def test_it_refuses_a_start_date_before_the_contract_date_on_a_move(project, staff):
    walk_to_signed(project, staff)  # signed 50 days ago
    move(project, staff, Stage.LANDED)
    assert_refused(
        project,
        staff,
        Stage.CONSTRUCTION,
        "start_date",
        "开工日期不能早于签约日期",
        start_date=TODAY - dt.timedelta(days=60),
    )


def test_it_reports_every_problem_of_a_new_project_at_once(staff):
    from zhaoshang.core.models import Unit

    before = (Project.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.project_create(
            acting_user=staff,
            area=staff.area,
            name="三处错误的项目",
            stage=Stage.SIGNED,  # no contract date or amount
            total_investment=Decimal("-1"),  # a field rule
            sub_bureau=Unit.objects.filter(area__code="411721").first(),  # the chain
            start_date=TODAY + dt.timedelta(days=5),  # a date in the future
        )
    fields = set(refused.value.message_dict)
    assert {"total_investment", "sub_bureau", "contract_date", "start_date"} <= fields, fields
    assert (Project.objects.count(), AuditEvent.objects.count()) == before


def test_it_judges_a_refused_date_once_not_again_by_the_gates(project, staff):
    walk_to_signed(project, staff)
    with pytest.raises(ValidationError) as refused:
        services.project_update(
            acting_user=staff, project=project, expected_version=None, contracted_amount="many"
        )
    assert len(refused.value.message_dict["contracted_amount"]) == 1
