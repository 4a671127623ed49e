"""Work plans (工作方案): milestone services, the derived overdue flag, selectors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from tests.factories import PersonFactory, person_of
from zhaoshang.construction.choices import MilestoneStatus
from zhaoshang.construction.models import Milestone
from zhaoshang.construction.selectors import workplan as selectors
from zhaoshang.construction.services.workplan import (
    milestone_complete,
    milestone_create,
    milestone_update,
)
from zhaoshang.core.choices import PersonRank
from zhaoshang.core.models import Area, AuditEvent, Unit, User
from zhaoshang.core.versions import ConflictError as VersionConflict
from zhaoshang.projects import services as project_services
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
#: Pages mark overdue by the clock: they are read on TODAY, whatever the real date.
ON_TODAY = time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def staff() -> User:
    return User.objects.get(username="yc_staff")


@pytest.fixture
def project(staff: User) -> Project:
    return project_services.project_create(
        acting_user=staff,
        area=staff.area,
        name="工作方案测试项目",
        investor_name="测试投资方",
        total_investment=Decimal("8000"),
        event_date=dt.date(2026, 1, 5),
    )


def make(project: Project, staff: User, **fields: Any) -> Milestone:
    fields.setdefault("title", "完成立项备案")
    fields.setdefault("due_date", TODAY + dt.timedelta(days=10))
    return milestone_create(acting_user=staff, project=project, **fields)


def written() -> tuple[int, int]:
    return Milestone.objects.count(), AuditEvent.objects.count()


# --- create -----------------------------------------------------------------------------


def test_it_creates_a_milestone_in_the_projects_area_with_an_audit_row(project, staff):
    leader = person_of(User.objects.get(username="yc_leader"))
    unit = Unit.objects.get(area__code="411702", name="驿城区人民政府")
    before = AuditEvent.objects.count()
    wang = PersonFactory(area=project.area, name="王欣", rank=PersonRank.OTHER)
    m = make(project, staff, leader=leader, unit=unit, responsible_person=wang)
    assert m.area_id == project.area_id
    assert (m.status, m.version, m.responsible_person) == (MilestoneStatus.PLANNED, 1, wang)
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_type, event.area_id) == (
        "create",
        "construction.milestone",
        project.area_id,
    )


def test_it_accepts_a_city_leader_and_unit_above_the_project(project, staff):
    city_unit = Unit.objects.get(area__code="411700", name="驻马店市商务局")
    city_leader = PersonFactory(area=city_unit.area, rank=PersonRank.DISTRICT_LEADER)
    m = make(project, staff, leader=city_leader, unit=city_unit)
    assert m.unit == city_unit


def test_it_refuses_a_leader_or_unit_of_a_sibling_district(project, staff):
    before = written()
    with pytest.raises(ValidationError) as exc:
        make(
            project,
            staff,
            leader=PersonFactory(
                area=Area.objects.get(code="411721"), rank=PersonRank.DISTRICT_LEADER
            ),
            unit=Unit.objects.get(name="西平县商务局"),
        )
    assert set(exc.value.message_dict) == {"leader", "unit"}
    assert written() == before


def test_it_refuses_a_blank_title_and_writes_nothing(project, staff):
    before = written()
    with pytest.raises(ValidationError) as exc:
        make(project, staff, title="   ")
    assert "title" in exc.value.message_dict
    assert written() == before


# --- update and complete --------------------------------------------------------------


def test_it_updates_with_the_version_and_audits_only_the_change(project, staff):
    m = make(project, staff)
    milestone_update(
        acting_user=staff,
        milestone=m,
        expected_version=1,
        status=MilestoneStatus.IN_PROGRESS,
        title="完成规划许可",
    )
    fresh = Milestone.objects.get(pk=m.pk)
    assert (fresh.title, fresh.status, fresh.version) == ("完成规划许可", "in_progress", 2)
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "update"
    assert event.before["title"] == "完成立项备案"
    assert event.after["title"] == "完成规划许可"
    assert "due_date" not in event.after


def test_it_refuses_a_stale_version_and_writes_nothing(project, staff):
    m = make(project, staff)
    milestone_update(acting_user=staff, milestone=m, expected_version=1, title="第二版")
    stale = Milestone.objects.get(pk=m.pk)
    stale.version = 1
    before = written()
    with pytest.raises(VersionConflict) as exc:
        milestone_update(acting_user=staff, milestone=stale, expected_version=1, title="第三版")
    assert exc.value.current_version == 2
    assert Milestone.objects.get(pk=m.pk).title == "第二版"
    assert written() == before


def test_it_refuses_unknown_fields(project, staff):
    m = make(project, staff)
    with pytest.raises(ValidationError, match="area"):
        milestone_update(acting_user=staff, milestone=m, expected_version=1, area=None)


@time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False)
def test_it_completes_a_milestone_on_a_past_date(project, staff):
    m = make(project, staff)
    milestone_complete(acting_user=staff, milestone=m, done_date=TODAY - dt.timedelta(days=1))
    fresh = Milestone.objects.get(pk=m.pk)
    assert (fresh.status, fresh.done_date, fresh.version) == ("done", dt.date(2026, 11, 25), 2)


@time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False)
def test_it_refuses_a_future_done_date_and_writes_nothing(project, staff):
    m = make(project, staff)
    before = written()
    with pytest.raises(ValidationError) as exc:
        milestone_complete(acting_user=staff, milestone=m, done_date=TODAY + dt.timedelta(days=1))
    assert list(exc.value.message_dict) == ["done_date"]
    assert Milestone.objects.get(pk=m.pk).status == MilestoneStatus.PLANNED
    assert written() == before


def test_it_refuses_done_without_a_date_and_completing_twice(project, staff):
    m = make(project, staff)
    with pytest.raises(ValidationError) as exc:
        milestone_update(acting_user=staff, milestone=m, expected_version=1, status="done")
    assert "done_date" in exc.value.message_dict
    m = Milestone.objects.get(pk=m.pk)
    milestone_complete(acting_user=staff, milestone=m, done_date=TODAY - dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        milestone_complete(acting_user=staff, milestone=m, done_date=TODAY - dt.timedelta(days=3))
    assert "status" in exc.value.message_dict


def test_it_clears_the_done_date_when_a_milestone_is_reopened(project, staff):
    m = make(project, staff)
    milestone_complete(acting_user=staff, milestone=m, done_date=TODAY - dt.timedelta(days=3))
    milestone_update(
        acting_user=staff, milestone=m, expected_version=2, status=MilestoneStatus.IN_PROGRESS
    )
    fresh = Milestone.objects.get(pk=m.pk)
    assert (fresh.status, fresh.done_date) == ("in_progress", None)


# --- overdue derivation ---------------------------------------------------------------


def test_it_derives_overdue_from_the_due_date_in_calendar_days(project, staff):
    late = make(project, staff, title="逾期", due_date=dt.date(2026, 11, 20))
    due_today = make(project, staff, title="今天到期", due_date=dt.date(2026, 11, 26))
    done_late = make(project, staff, title="已完成", due_date=dt.date(2026, 11, 1))
    milestone_complete(acting_user=staff, milestone=done_late, done_date=dt.date(2026, 11, 3))
    rows = {m.title: m.is_overdue for m in selectors.milestone_list(staff, today=TODAY)}
    assert rows == {"逾期": True, "今天到期": False, "已完成": False}
    # The day after its due date a milestone becomes overdue (Saturday or not).
    tomorrow = TODAY + dt.timedelta(days=1)
    assert selectors.is_overdue(due_today, tomorrow) is True
    assert selectors.is_overdue(late, TODAY) is True
    overdue_only = selectors.milestone_list(staff, {"overdue": True}, today=TODAY)
    assert [m.title for m in overdue_only] == ["逾期"]


def test_it_follows_the_clock_when_no_date_is_passed(project, staff):
    make(project, staff, title="十二月到期", due_date=dt.date(2026, 12, 1))
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        assert selectors.overdue_count(staff) == 1
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC), tick=False):
        assert selectors.overdue_count(staff) == 0


def test_it_filters_by_project_status_leader_and_unit(project, staff):
    other = project_services.project_create(
        acting_user=staff, area=staff.area, name="另一个项目", investor_name="甲"
    )
    leader = person_of(User.objects.get(username="yc_leader"))
    unit = Unit.objects.get(area__code="411702", name="驿城区人民政府")
    make(project, staff, title="甲", leader=leader)
    make(other, staff, title="乙", unit=unit)
    titles = lambda f: [m.title for m in selectors.milestone_list(staff, f)]  # noqa: E731
    assert titles({"project": project.pk}) == ["甲"]
    assert titles({"leader": leader}) == ["甲"]
    assert titles({"unit": unit.pk}) == ["乙"]
    assert titles({"status": "done"}) == []
    assert titles({"q": "另一个"}) == ["乙"]


def test_it_hides_milestones_from_the_sibling_district(project, staff):
    make(project, staff, due_date=dt.date(2026, 1, 1))
    outsider = User.objects.get(username="xp_staff")
    city = User.objects.get(username="zmd_city")
    assert list(selectors.milestone_list(outsider)) == []
    assert selectors.overdue_milestones(outsider) == []
    assert len(selectors.overdue_milestones(city, today=TODAY)) == 1
    xiping = Area.objects.get(code="411721")
    assert selectors.overdue_milestones(city, area=xiping, today=TODAY) == []


def test_it_lists_overdue_milestones_oldest_first_with_a_limit(project, staff):
    for day in (5, 1, 3):
        make(project, staff, title=f"十一月{day}日", due_date=dt.date(2026, 11, day))
    rows = selectors.overdue_milestones(staff, limit=2, today=TODAY)
    assert [m.title for m in rows] == ["十一月1日", "十一月3日"]
    assert all(m.is_overdue for m in rows)


# --- pages ---------------------------------------------------------------------------------


def _page_setup(project: Project, staff: User) -> Milestone:
    make(project, staff, title="按期节点", due_date=TODAY + dt.timedelta(days=30))
    return make(project, staff, title="逾期节点", due_date=dt.date(2026, 1, 10))


def test_it_hides_the_pages_from_the_outsider(project, staff):
    from tests.helpers import assert_visibility

    late = _page_setup(project, staff)
    assert_visibility(
        f"/construction/projects/{project.pk}/workplan/",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200, "yc_viewer": 200},
    )
    assert_visibility(
        f"/construction/milestones/{late.pk}/edit/",
        owner="yc_staff",
        outsider="xp_staff",
        others={"yc_viewer": 404},
    )
    assert_visibility(
        f"/construction/milestones/{late.pk}/complete/",
        method="post",
        data={"done_date": "2026-01-12", "version": 1},
        owner="yc_viewer",
        owner_status=404,
        outsider="xp_staff",
    )
    assert Milestone.objects.get(pk=late.pk).status == MilestoneStatus.PLANNED


@ON_TODAY
def test_it_lists_milestones_with_overdue_highlighting_in_few_queries(
    project, staff, django_assert_max_num_queries
):
    from tests.helpers import signed_in_client

    _page_setup(project, staff)
    leader = person_of(User.objects.get(username="yc_leader"))
    for i in range(25):
        who = PersonFactory(area=project.area)  # a different 责任人 each: still no query each
        make(project, staff, title=f"批量{i}", leader=leader, responsible_person=who)
    client = signed_in_client("yc_staff")
    client.get("/construction/milestones/")
    with django_assert_max_num_queries(14):
        r = client.get("/construction/milestones/")
    assert r.status_code == 200
    body = r.content.decode()
    assert body.count('class="overdue"') == 1
    assert "逾期节点" in body
    outsider = signed_in_client("xp_staff").get("/construction/milestones/").content.decode()
    assert "逾期节点" not in outsider
    only = client.get("/construction/milestones/?overdue=on").content.decode()
    assert "逾期节点" in only and "按期节点" not in only


def test_it_adds_a_milestone_from_the_project_page(project, staff):
    from tests.helpers import signed_in_client

    url = f"/construction/projects/{project.pk}/workplan/"
    li = PersonFactory(area=project.area, name="李航")
    r = signed_in_client("yc_staff").post(
        url, {"title": "土地摘牌", "due_date": "2027-02-01", "responsible_person": li.pk}
    )
    assert r.status_code == 302
    assert Milestone.objects.filter(project=project, title="土地摘牌").exists()


def test_it_shows_the_errors_of_a_bad_milestone_and_writes_nothing(project, staff):
    from tests.helpers import signed_in_client

    xp_unit = Unit.objects.get(name="西平县商务局")
    before = written()
    r = signed_in_client("yc_staff").post(
        f"/construction/projects/{project.pk}/workplan/",
        {"title": "", "due_date": "不是日期", "unit": xp_unit.pk},
    )
    assert r.status_code == 400
    assert r.context["form"].errors.keys() >= {"title", "due_date", "unit"}
    assert written() == before


def test_it_refuses_a_viewer_adding_a_milestone_with_404(project):
    from tests.helpers import signed_in_client

    r = signed_in_client("yc_viewer").post(
        f"/construction/projects/{project.pk}/workplan/", {"title": "甲", "due_date": "2027-01-01"}
    )
    assert r.status_code == 404
    assert not Milestone.objects.filter(project=project).exists()


@ON_TODAY
def test_it_edits_and_completes_from_the_pages_and_refuses_a_stale_form(project, staff):
    from tests.helpers import signed_in_client

    m = make(project, staff)
    client = signed_in_client("yc_staff")
    form = {"title": "完成立项备案（修订）", "due_date": "2027-01-05", "status": "in_progress"}
    r = client.post(f"/construction/milestones/{m.pk}/edit/", {**form, "version": 1})
    assert r.status_code == 302
    r = client.post(f"/construction/milestones/{m.pk}/edit/", {**form, "title": "旧", "version": 1})
    assert r.status_code == 400
    assert r.context["form"].non_field_errors()  # the conflict message
    assert Milestone.objects.get(pk=m.pk).title == "完成立项备案（修订）"
    client.post(
        f"/construction/milestones/{m.pk}/complete/",
        {"done_date": str(TODAY + dt.timedelta(days=5)), "version": 2},
    )
    assert Milestone.objects.get(pk=m.pk).status == "in_progress"  # a future date is refused
    done = timezone_today()
    client.post(
        f"/construction/milestones/{m.pk}/complete/", {"done_date": str(done), "version": 2}
    )
    fresh = Milestone.objects.get(pk=m.pk)
    assert (fresh.status, fresh.done_date) == ("done", done)


def timezone_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


@ON_TODAY
def test_it_exports_the_visible_milestones_and_audits_the_export(project, staff):
    import io

    from python_calamine import CalamineWorkbook

    from tests.helpers import signed_in_client

    def read(data: bytes) -> list[list[Any]]:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)

    _page_setup(project, staff)
    r = signed_in_client("yc_staff").get("/construction/milestones/export.xlsx?overdue=on")
    assert r.status_code == 200
    rows = read(r.content)
    assert rows[0][:3] == ["项目名称", "所属区域", "工作节点"]
    assert [row[2] for row in rows[1:]] == ["逾期节点"]
    assert rows[1][9] == "是"
    event = AuditEvent.objects.filter(action="export").order_by("-id").first()
    assert (event.object_type, event.after["rows"], event.after["filters"]) == (
        "construction.milestone",
        1,
        {"overdue": True},
    )
    outsider = signed_in_client("xp_staff").get("/construction/milestones/export.xlsx")
    assert len(read(outsider.content)) == 1


@ON_TODAY
def test_it_renders_the_project_partial_with_overdue_marks(project, staff):
    from django.template.loader import render_to_string

    _page_setup(project, staff)
    listed = selectors.project_milestones(project)
    html = render_to_string(
        "construction/_project_milestones.html",
        {"project": project, "workplan_milestones": listed},
    )
    assert "按期节点" in html and html.count('class="overdue"') == 1


def test_it_shows_a_long_work_plan_in_few_queries(project, staff, django_assert_max_num_queries):
    from tests.helpers import signed_in_client

    leader = person_of(User.objects.get(username="yc_leader"))
    unit = Unit.objects.get(area__code="411702", name="驿城区人民政府")
    for i in range(20):
        make(
            project,
            staff,
            title=f"节点{i}",
            leader=leader,
            unit=unit,
            due_date=dt.date(2026, 1, i + 1),
        )
    client = signed_in_client("yc_staff")
    url = f"/construction/projects/{project.pk}/workplan/"
    client.get(url)
    with django_assert_max_num_queries(16):
        r = client.get(url)
    assert r.status_code == 200
    assert r.content.decode().count('class="overdue"') == 20
    assert r.context["summary"] == {"total": 20, "done": 0, "overdue": 20}


def test_it_shows_a_milestone_done_after_its_due_date_with_the_working_days_late(project, staff):
    from tests.helpers import signed_in_client

    late = make(project, staff, title="迟到的节点", due_date=dt.date(2026, 9, 30))
    milestone_complete(acting_user=staff, milestone=late, done_date=dt.date(2026, 10, 13))
    on_time = make(project, staff, title="按时的节点", due_date=dt.date(2026, 10, 30))
    milestone_complete(acting_user=staff, milestone=on_time, done_date=dt.date(2026, 10, 29))
    # 国庆 2026: 10-01..10-07 off, 10-10 (Sat) a make-up day: 10-08, 09, 10, 12, 13 = 5
    assert selectors.late_working_days(Milestone.objects.get(pk=late.pk)) == 5
    assert selectors.late_working_days(Milestone.objects.get(pk=on_time.pk)) is None
    client = signed_in_client("yc_staff")
    for url in ("/construction/milestones/", f"/construction/projects/{project.pk}/workplan/"):
        body = client.get(url).content.decode()
        assert body.count("逾期完成 5 个工作日") == 1, url
    api = client.get(f"/api/v1/milestones/{late.pk}").json()
    assert (api["done_late"], api["done_late_working_days"]) == (True, 5)
    assert client.get(f"/api/v1/milestones/{on_time.pk}").json()["done_late"] is False
    assert signed_in_client("xp_staff").get(f"/api/v1/milestones/{late.pk}").status_code == 404


# --- who: Persons (人员库) ------------------------------------------------------------------


def test_it_takes_only_a_leader_rank_person_as_the_leader_in_charge(project, staff):
    before = written()
    officer = PersonFactory(area=project.area, rank=PersonRank.OFFICER)
    gone = PersonFactory(area=project.area, rank=PersonRank.OTHER, active=False)
    with pytest.raises(ValidationError) as exc:
        make(project, staff, leader=officer, responsible_person=gone)
    assert exc.value.message_dict["leader"] == [
        gettext("The leader in charge must be a district leader or a division-level cadre.")
    ]
    assert "responsible_person" in exc.value.message_dict
    assert written() == before
    cadre = PersonFactory(area=project.area, rank=PersonRank.DIVISION, name="马俊峰")
    m = make(project, staff, leader=cadre, responsible_person=officer)
    assert (m.leader, m.responsible_person) == (cadre, officer)


def test_it_keeps_a_stored_leader_of_another_rank_on_an_unrelated_edit(project, staff):
    m = make(project, staff)
    chief = PersonFactory(area=project.area, rank=PersonRank.CHIEF)
    Milestone.objects.filter(pk=m.pk).update(leader=chief)  # migrated from an account
    m.refresh_from_db()
    milestone_update(acting_user=staff, milestone=m, expected_version=m.version, note="改备注")
    assert Milestone.objects.get(pk=m.pk).leader == chief


def test_the_form_offers_leader_rank_persons_only(project, staff):
    from zhaoshang.construction.forms.workplan import MilestoneForm

    cadre = PersonFactory(area=project.area, rank=PersonRank.DIVISION)
    officer = PersonFactory(area=project.area, rank=PersonRank.OFFICER)
    form = MilestoneForm(user=staff, area=project.area)
    assert cadre in set(form.fields["leader"].queryset)
    assert officer not in set(form.fields["leader"].queryset)
    assert {cadre, officer} <= set(form.fields["responsible_person"].queryset)
