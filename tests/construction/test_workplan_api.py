"""The /api/v1/milestones and /api/v1/reserve routes: 404 matrix, 403, 409, 422, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import PersonFactory, person_of
from tests.helpers import assert_visibility, signed_in_client
from tests.projects.conftest import call
from zhaoshang.construction.models import KeyProjectEntry, Milestone, ReserveEvent, ReserveItem
from zhaoshang.construction.services.reserve import reserve_create, reserve_transition
from zhaoshang.construction.services.workplan import milestone_create
from zhaoshang.core.choices import PersonRank
from zhaoshang.core.models import AuditEvent, Unit, User
from zhaoshang.projects import services as project_services
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

OUTSIDER = "xp_staff"
MILESTONES = "/api/v1/milestones"
RESERVE = "/api/v1/reserve"
TODAY = timezone.localdate()


@pytest.fixture
def staff() -> User:
    return User.objects.get(username="yc_staff")


@pytest.fixture
def project(staff: User) -> Project:
    return project_services.project_create(
        acting_user=staff,
        area=staff.area,
        name="接口测试项目",
        investor_name="测试投资方",
        event_date=TODAY - dt.timedelta(days=60),
    )


@pytest.fixture
def milestone(project: Project, staff: User) -> Milestone:
    return milestone_create(
        acting_user=staff, project=project, title="完成环评", due_date=TODAY - dt.timedelta(days=3)
    )


@pytest.fixture
def item(staff: User) -> ReserveItem:
    return reserve_create(
        acting_user=staff,
        area=staff.area,
        name="冷链物流园项目",
        investor_name="某物流集团",
        total_investment=Decimal("60000"),
        event_date=TODAY - dt.timedelta(days=40),
    )


def as_(username: str = "yc_staff") -> Any:
    return signed_in_client(username)


def counts() -> tuple[int, ...]:
    return (
        Milestone.objects.count(),
        ReserveItem.objects.count(),
        ReserveEvent.objects.count(),
        Project.objects.count(),
        KeyProjectEntry.objects.count(),
        AuditEvent.objects.count(),
    )


def assert_invalid(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    assert response.data["code"] == "validation_error"
    assert response.data["message"]
    assert field in response.data["errors"], response.data


# --- the 404 matrix ---------------------------------------------------------------------


def test_it_hides_a_milestone_from_the_sibling_district(milestone):
    assert_visibility(
        f"{MILESTONES}/{milestone.pk}",
        owner="yc_staff",
        outsider=OUTSIDER,
        others={"zmd_city": 200, "yc_viewer": 200, "yc_investor": 404},
    )


def test_it_answers_404_before_403_on_every_write(milestone, item, project):
    assert_visibility(
        f"{MILESTONES}/{milestone.pk}",
        method="put",
        json_body={"version": 99, "title": "x"},
        owner="yc_viewer",
        owner_status=403,
        outsider=OUTSIDER,
    )
    assert_visibility(
        MILESTONES,
        method="post",
        json_body={"project_id": project.pk, "title": "x", "due_date": "2027-01-01"},
        owner="yc_viewer",
        owner_status=403,
        outsider=OUTSIDER,
    )
    for suffix, body in (
        ("/transitions", {"to_stage": "evaluation"}),
        ("/promote", {"year": 2027, "planned_investment": "1"}),
        ("", {"version": 1, "name": "x"}),
    ):
        method = "put" if suffix == "" else "post"
        assert_visibility(
            f"{RESERVE}/{item.pk}{suffix}",
            method=method,
            json_body=body,
            owner="yc_viewer",
            owner_status=403,
            outsider=OUTSIDER,
        )
    assert_visibility(f"{RESERVE}/{item.pk}", owner="yc_viewer", outsider=OUTSIDER)


def test_it_lists_nothing_of_yicheng_to_the_outsider(milestone, item):
    assert call(as_(OUTSIDER), "get", MILESTONES).data["count"] == 0
    assert call(as_(OUTSIDER), "get", RESERVE).data["count"] == 0
    assert call(as_("zmd_city"), "get", MILESTONES).data["count"] == 1


# --- milestones ---------------------------------------------------------------------------


def test_it_creates_a_milestone_with_a_leader_and_unit(project):
    leader = person_of(User.objects.get(username="yc_leader"))
    wang = PersonFactory(area=project.area, name="王欣")
    unit = Unit.objects.get(area__code="411702", name="驿城区人民政府")
    r = call(
        as_(),
        "post",
        MILESTONES,
        {
            "project_id": project.pk,
            "title": "取得施工许可",
            "due_date": str(TODAY + dt.timedelta(days=30)),
            "leader_id": leader.pk,
            "unit_id": unit.pk,
            "responsible_person_id": wang.pk,
        },
    )
    assert r.status_code == 201, r.content
    assert (r.data["leader"]["name"], r.data["leader"]["rank"]) == ("陈志远", "district_leader")
    assert r.data["responsible_person"]["id"] == wang.pk
    assert r.data["unit"]["name"] == "驿城区人民政府"
    assert (r.data["status"], r.data["overdue"], r.data["version"]) == ("planned", False, 1)
    assert Milestone.objects.get(pk=r.data["id"]).area_id == project.area_id


def test_it_refuses_a_bad_milestone_and_writes_nothing(project):
    before = counts()
    xp_leader = person_of(User.objects.get(username="xp_staff"))
    r = call(
        as_(),
        "post",
        MILESTONES,
        {
            "project_id": project.pk,
            "title": "甲",
            "due_date": "2027-01-01",
            "leader_id": xp_leader.pk,
        },
    )
    assert_invalid(r, "leader_id")
    r = call(as_(), "post", MILESTONES, {"project_id": project.pk, "title": "", "due_date": "x"})
    assert_invalid(r, "title")
    assert "due_date" in r.data["errors"]
    r = call(
        as_(), "post", MILESTONES, {"project_id": project.pk, "title": "甲", "due": "2027-01-01"}
    )
    assert r.status_code == 422
    assert counts() == before


def test_it_refuses_a_milestone_on_a_hidden_project_with_404(staff):
    xiping = User.objects.get(username="xp_staff")
    hidden = project_services.project_create(
        acting_user=xiping, area=xiping.area, name="西平项目", investor_name="乙"
    )
    before = counts()
    r = call(
        as_(),
        "post",
        MILESTONES,
        {"project_id": hidden.pk, "title": "甲", "due_date": "2027-01-01"},
    )
    assert r.status_code == 404
    assert counts() == before


def test_it_updates_a_milestone_and_refuses_a_stale_version_with_409(milestone):
    url = f"{MILESTONES}/{milestone.pk}"
    r = call(as_(), "put", url, {"version": 1, "status": "done", "done_date": str(TODAY)})
    assert r.status_code == 200, r.content
    assert (r.data["status"], r.data["done_date"], r.data["overdue"], r.data["version"]) == (
        "done",
        str(TODAY),
        False,
        2,
    )
    before = counts()
    r = call(as_(), "put", url, {"version": 1, "title": "覆盖别人的修改"})
    assert r.status_code == 409
    assert (r.data["code"], r.data["current_version"]) == ("conflict", 2)
    assert Milestone.objects.get(pk=milestone.pk).title == "完成环评"
    assert counts() == before


def test_it_refuses_a_future_done_date_with_422(milestone):
    before = counts()
    r = call(
        as_(),
        "put",
        f"{MILESTONES}/{milestone.pk}",
        {"version": 1, "status": "done", "done_date": str(TODAY + dt.timedelta(days=2))},
    )
    assert_invalid(r, "done_date")
    assert counts() == before


def test_it_filters_overdue_milestones_and_pins_the_query_count(
    project, staff, django_assert_max_num_queries
):
    leader = person_of(User.objects.get(username="yc_leader"))
    unit = Unit.objects.get(area__code="411702", name="驿城区人民政府")
    for i in range(12):
        milestone_create(
            acting_user=staff,
            project=project,
            title=f"节点{i}",
            due_date=TODAY + dt.timedelta(days=i - 6),
            leader=leader,
            unit=unit,
        )
    client = as_()
    call(client, "get", MILESTONES)  # warm the session
    with django_assert_max_num_queries(8):
        r = call(client, "get", f"{MILESTONES}?overdue=true&limit=50")
    assert r.data["count"] == 6
    assert all(m["overdue"] for m in r.data["items"])
    assert call(client, "get", f"{MILESTONES}?project={project.pk}&status=done").data["count"] == 0
    assert call(client, "get", f"{MILESTONES}?sort=nonsense").status_code == 422


# --- reserve --------------------------------------------------------------------------------


def test_it_creates_moves_and_promotes_a_reserve_item_without_retyping(staff):
    client = as_()
    r = call(
        client,
        "post",
        RESERVE,
        {"name": "智能网联汽车零部件", "investor_name": "某汽车集团", "total_investment": "90000"},
    )
    assert r.status_code == 201, r.content
    url = f"{RESERVE}/{r.data['id']}"
    for stage in ("evaluation", "packaging", "application", "reserved"):
        assert call(client, "post", f"{url}/transitions", {"to_stage": stage}).status_code == 200
    r = call(client, "post", f"{url}/transitions", {"to_stage": "included", "target_level": "city"})
    assert r.status_code == 200, r.content
    assert (r.data["stage"], r.data["target_level"], len(r.data["events"])) == (
        "included",
        "city",
        6,
    )
    r = call(client, "post", f"{url}/promote", {"year": 2027, "planned_investment": "20000"})
    assert r.status_code == 201, r.content
    project = Project.objects.get(pk=r.data["project_id"])
    assert (project.name, project.investor_name, project.total_investment) == (
        "智能网联汽车零部件",
        "某汽车集团",
        Decimal("90000"),
    )
    assert KeyProjectEntry.objects.filter(project=project, year=2027, level="city").exists()
    assert r.data["reserve"]["project_id"] == project.pk
    before = counts()
    again = call(client, "post", f"{url}/promote", {"year": 2027, "planned_investment": "1"})
    assert_invalid(again, "project")
    assert counts() == before


def test_it_refuses_an_illegal_move_with_422_and_writes_nothing(item):
    before = counts()
    url = f"{RESERVE}/{item.pk}/transitions"
    assert_invalid(call(as_(), "post", url, {"to_stage": "application"}), "to_stage")
    assert_invalid(call(as_(), "post", url, {"to_stage": "rejected"}), "to_stage")
    assert_invalid(call(as_(), "post", url, {"to_stage": "approved"}), "to_stage")
    assert counts() == before
    assert ReserveItem.objects.get(pk=item.pk).stage == "screening"


def test_it_refuses_a_stale_reserve_version_with_409(item, staff):
    reserve_transition(acting_user=staff, item=item, to_stage="evaluation")
    before = counts()
    r = call(as_(), "put", f"{RESERVE}/{item.pk}", {"version": 1, "name": "旧版本的修改"})
    assert (r.status_code, r.data["current_version"]) == (409, 2)
    r = call(
        as_(), "post", f"{RESERVE}/{item.pk}/transitions", {"to_stage": "packaging", "version": 1}
    )
    assert r.status_code == 409
    assert counts() == before


def test_it_lists_reserve_items_with_a_pinned_query_count(staff, django_assert_max_num_queries):
    for i in range(15):
        reserve_create(acting_user=staff, area=staff.area, name=f"储备项目{i}", event_date=TODAY)
    client = as_()
    call(client, "get", RESERVE)
    with django_assert_max_num_queries(8):
        r = call(client, "get", f"{RESERVE}?stage=screening&q=储备&limit=100")
    assert r.data["count"] == 15
    assert all(i["days_in_stage"] == 0 for i in r.data["items"])


def test_it_answers_422_never_500_to_odd_bodies(milestone, item):
    before = counts()
    odd = [
        ("put", f"{RESERVE}/{item.pk}", {"version": 1, "name": None}, "name"),
        ("put", f"{RESERVE}/{item.pk}", {"version": 1, "target_level": "district"}, "target_level"),
        ("put", f"{RESERVE}/{item.pk}", {"version": 1, "colour": "red"}, "colour"),
        ("post", RESERVE, {"name": "甲\x00乙"}, "name"),
        ("put", f"{MILESTONES}/{milestone.pk}", {"version": 1, "title": None}, "title"),
        ("put", f"{MILESTONES}/{milestone.pk}", {"version": 1, "due_date": None}, "due_date"),
        ("put", f"{MILESTONES}/{milestone.pk}", {"version": 1, "status": "done"}, "done_date"),
        ("post", f"{RESERVE}/{item.pk}/promote", {"year": 1999, "planned_investment": "1"}, "year"),
    ]
    for method, url, body, field in odd:
        assert_invalid(call(as_(), method, url, body), field)
    assert counts() == before


def test_it_answers_422_for_a_leader_in_charge_of_the_wrong_rank(project):
    before = counts()
    officer = PersonFactory(area=project.area, rank=PersonRank.OFFICER)
    r = call(
        as_(),
        "post",
        MILESTONES,
        {
            "project_id": project.pk,
            "title": "甲",
            "due_date": "2027-01-01",
            "leader_id": officer.pk,
        },
    )
    assert_invalid(r, "leader")
    assert counts() == before
