"""The projects API: visibility (404), roles (403), writes through the services, JSON errors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import person_of
from tests.helpers import assert_visibility, signed_in_client
from tests.projects.conftest import TODAY, call
from zhaoshang.core.models import AuditEvent, Unit, User
from zhaoshang.projects import services
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import (
    Activity,
    Enterprise,
    InvestorAccount,
    Project,
    StageEvent,
)
from zhaoshang.projects.services import transition_error
from zhaoshang.projects.validators import uscc_check_char

pytestmark = pytest.mark.django_db

OUTSIDER = "xp_staff"
PROJECTS = "/api/v1/projects"
ENTERPRISES = "/api/v1/enterprises"


def as_(username: str) -> Any:
    return signed_in_client(username)


def counts() -> tuple[int, ...]:
    """Everything an API write could touch; equal before and after a refused one."""
    return (
        Project.objects.count(),
        StageEvent.objects.count(),
        Activity.objects.count(),
        Enterprise.objects.count(),
        AuditEvent.objects.count(),
    )


def stored(project: Project) -> tuple[Any, ...]:
    fresh = Project.objects.get(pk=project.pk)
    return (fresh.name, fresh.stage, fresh.version, fresh.total_investment, fresh.updated_at)


def assert_invalid(response: Any, field: str, text: str = "") -> None:
    assert response.status_code == 422, response.content
    assert response.data["code"] == "validation_error"
    assert response.data["message"]
    assert field in response.data["errors"], response.data
    assert text in " ".join(response.data["errors"][field])


def valid_uscc(body: str = "91411702MA9F00001") -> str:
    return body + uscc_check_char(body)


# --- the 404 matrix of every route --------------------------------------------------------


def test_it_hides_a_project_from_the_sibling_district(project):
    assert_visibility(
        f"{PROJECTS}/{project.pk}",
        owner="yc_staff",
        outsider=OUTSIDER,
        others={"zmd_city": 200, "yc_viewer": 200, "yc_investor": 404},
    )


def test_it_hides_a_projects_activities_from_the_sibling_district(project):
    assert_visibility(
        f"{PROJECTS}/{project.pk}/activities",
        owner="yc_staff",
        outsider=OUTSIDER,
        others={"zmd_city": 200, "yc_viewer": 200},
    )


def test_it_hides_an_enterprise_from_the_sibling_district(enterprise):
    assert_visibility(
        f"{ENTERPRISES}/{enterprise.pk}",
        owner="yc_staff",
        outsider=OUTSIDER,
        others={"zmd_city": 200, "yc_viewer": 200},
    )


def test_it_hides_a_project_from_updates_by_the_sibling_district(project):
    body = json.dumps({"version": 1, "notes": "城市也可以改"})
    assert_visibility(
        f"{PROJECTS}/{project.pk}",
        method="put",
        data=body,
        owner="yc_staff",
        outsider=OUTSIDER,
        others={"yc_viewer": 403},
    )
    assert Project.objects.get(pk=project.pk).version == 2


def test_it_lets_the_city_update_a_district_project(project):
    response = call(
        as_("zmd_city"), "put", f"{PROJECTS}/{project.pk}", {"version": 1, "notes": "市"}
    )
    assert response.status_code == 200, response.data
    assert Project.objects.get(pk=project.pk).notes == "市"


def test_it_hides_an_enterprise_from_updates_by_the_sibling_district(enterprise):
    assert_visibility(
        f"{ENTERPRISES}/{enterprise.pk}",
        method="put",
        data=json.dumps({"description": "已核实"}),
        owner="yc_staff",
        outsider=OUTSIDER,
        others={"zmd_city": 200, "yc_viewer": 403},
    )


def test_it_hides_a_project_from_transitions_by_the_sibling_district(project):
    assert_visibility(
        f"{PROJECTS}/{project.pk}/transitions",
        method="post",
        json_body={"to_stage": "intention", "event_date": str(TODAY)},
        owner="yc_staff",
        outsider=OUTSIDER,
        others={"yc_viewer": 403},
    )
    assert Project.objects.get(pk=project.pk).stage == Stage.INTENTION


def test_it_hides_a_project_from_activities_by_the_sibling_district(project):
    assert_visibility(
        f"{PROJECTS}/{project.pk}/activities",
        method="post",
        json_body={"kind": "visit", "date": str(TODAY)},
        owner="yc_staff",
        owner_status=201,
        outsider=OUTSIDER,
        others={"zmd_city": 201, "yc_viewer": 403},
    )
    assert project.activities.count() == 2


def test_it_lists_only_what_the_caller_may_see(make_project):
    mine = make_project(name="驿城区可见项目")
    xp_staff = User.objects.get(username="xp_staff")
    theirs = services.project_create(acting_user=xp_staff, area=xp_staff.area, name="西平县项目")
    seen = {
        name: {item["id"] for item in call(as_(name), "get", f"{PROJECTS}?limit=200").data["items"]}
        for name in ("yc_staff", "xp_staff", "zmd_city", "yc_investor")
    }
    assert mine.pk in seen["yc_staff"] and theirs.pk not in seen["yc_staff"]
    assert theirs.pk in seen["xp_staff"] and mine.pk not in seen["xp_staff"]
    assert {mine.pk, theirs.pk} <= seen["zmd_city"]
    assert seen["yc_investor"] == set()
    enterprise_ids = {
        e["id"] for e in call(as_("xp_staff"), "get", f"{ENTERPRISES}?limit=200").data["items"]
    }
    assert not Enterprise.objects.filter(pk__in=enterprise_ids, area__code="411702").exists()


def test_it_shows_an_investor_only_their_enterprises_projects(make_project, enterprise):
    investor = User.objects.get(username="yc_investor")
    InvestorAccount.objects.update_or_create(user=investor, defaults={"enterprise": enterprise})
    theirs = make_project(name="投资方的项目", investor=enterprise)
    other = make_project(name="别人的项目")
    client = as_("yc_investor")
    assert [i["id"] for i in call(client, "get", PROJECTS).data["items"]] == [theirs.pk]
    assert call(client, "get", f"{PROJECTS}/{theirs.pk}").status_code == 200
    assert call(client, "get", f"{PROJECTS}/{other.pk}").status_code == 404
    assert call(client, "get", f"{ENTERPRISES}/{enterprise.pk}").status_code == 200
    refused = call(client, "put", f"{PROJECTS}/{theirs.pk}", {"version": 1, "name": "改名"})
    assert (refused.status_code, refused.data["code"]) == (403, "forbidden")
    assert Project.objects.get(pk=theirs.pk).name == "投资方的项目"


# --- reading -------------------------------------------------------------------------------


def test_it_lists_projects_with_their_ledger_fields(make_project, enterprise):
    project = make_project(
        name="字段项目", investor=enterprise, total_investment=Decimal("12345.6789"), code="YC-1"
    )
    response = call(as_("yc_staff"), "get", f"{PROJECTS}?q=YC-1")
    assert response.status_code == 200
    assert (response.data["count"], response.data["limit"], response.data["offset"]) == (1, 50, 0)
    item = response.data["items"][0]
    assert item == {
        "id": project.pk,
        "code": "YC-1",
        "name": "字段项目",
        "investor": "API测试企业",
        "investor_id": enterprise.pk,
        "stage": "lead",
        "stage_label": str(Stage.LEAD.label),
        "cluster": None,
        "cluster_id": None,
        "total_investment": "12345.6789",
        "area": "411702",
        "area_name": "驿城区",
        "key_level": "",
        "key_level_year": TODAY.year,
        "version": 1,
        "stuck": True,
        "last_progress": str(TODAY - dt.timedelta(days=100)),
        "updated_at": item["updated_at"],
    }


def test_it_filters_sorts_and_pages_the_list(make_project, staff):
    for n in range(5):
        make_project(name=f"分页项目{n}", total_investment=Decimal(100 * (n + 1)))
    fresh = make_project(name="分页项目新", event_date=TODAY)
    services.project_transition(
        acting_user=staff, project=fresh, to_stage=Stage.INTENTION, event_date=TODAY
    )
    client = as_("yc_staff")
    page = call(client, "get", f"{PROJECTS}?q=分页项目&sort=-investment&limit=2&offset=1").data
    assert page["count"] == 6
    assert [i["name"] for i in page["items"]] == ["分页项目4", "分页项目3"]  # 新 (5000) first
    by_stage = call(client, "get", f"{PROJECTS}?q=分页项目&stage=intention").data["items"]
    assert [i["name"] for i in by_stage] == ["分页项目新"]
    stuck = call(client, "get", f"{PROJECTS}?q=分页项目&stuck=true").data
    assert stuck["count"] == 5 and all(i["stuck"] for i in stuck["items"])


@pytest.mark.parametrize(
    "query, field",
    [
        ("sort=sideways", "sort"),
        ("stage=flying", "stage"),
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("offset=-1", "offset"),
        ("cluster=abc", "cluster"),
        ("cluster=99999999999999999999999", "cluster"),
        ("q=a%00b", "q"),
        ("stuck=perhaps", "stuck"),
    ],
)
def test_it_refuses_bad_list_filters_with_422(query, field):
    assert_invalid(call(as_("yc_staff"), "get", f"{PROJECTS}?{query}"), field)


def test_it_lists_with_a_fixed_number_of_queries(make_project, enterprise):
    def queries_for_list() -> tuple[int, int]:
        client = as_("yc_staff")
        with CaptureQueriesContext(connection) as ctx:
            response = call(client, "get", f"{PROJECTS}?q=计数项目&limit=100")
        return len(ctx.captured_queries), len(response.data["items"])

    for n in range(3):
        make_project(name=f"计数项目{n}", investor=enterprise)
    small, rows = queries_for_list()
    assert rows == 3
    for n in range(3, 30):
        make_project(name=f"计数项目{n}", investor=enterprise)
    large, rows = queries_for_list()
    assert rows == 30
    assert large == small


def test_it_details_a_project_with_its_chain_and_time_in_stages(make_project, staff):
    leader, subchief = (
        person_of(User.objects.get(username="yc_leader")),
        person_of(User.objects.get(username="yc_subchief")),
    )
    bureau = Unit.objects.get(name="驿城区商务局")
    project = make_project(
        name="链条项目",
        lead_cadre=leader,
        frontline_sub_chief=subchief,
        trackers=[person_of(staff)],
        cooperating_units=[bureau],
    )
    services.project_transition(
        acting_user=staff,
        project=project,
        to_stage=Stage.INTENTION,
        event_date=TODAY - dt.timedelta(days=40),
    )
    data = call(as_("zmd_city"), "get", f"{PROJECTS}/{project.pk}").data
    chain = data["chain"]
    assert chain["lead_cadre"] == {
        "id": leader.pk,
        "name": "陈志远",
        "post": "副区长",
        "rank": "district_leader",
        "unit": "驿城区人民政府",
    }
    assert chain["responsible_chief"] is None
    assert [t["name"] for t in chain["trackers"]] == ["周晓燕"]
    assert chain["cooperating_units"] == [{"id": bureau.pk, "name": "驿城区商务局"}]
    assert chain["gaps"] == ["responsible_chief", "trackers"]
    assert data["time_in_stages"] == [
        {"stage": "lead", "label": str(Stage.LEAD.label), "days": 60},
        {"stage": "intention", "label": str(Stage.INTENTION.label), "days": 40},
    ]
    assert [e["to_stage"] for e in data["stage_events"]] == ["lead", "intention"]
    assert (data["version"], data["stage"]) == (2, "intention")


@pytest.mark.parametrize(
    "path, status", [("/0", 404), ("/99999999999999999999999", 404), ("/abc", 422)]
)
def test_it_answers_json_not_500_to_odd_ids(path, status):
    for route in (f"{PROJECTS}{path}", f"{ENTERPRISES}{path}", f"{PROJECTS}{path}/activities"):
        response = call(as_("yc_staff"), "get", route)
        assert response.status_code == status and response.data["code"], route


# --- creating -------------------------------------------------------------------------------


def test_it_creates_a_project_through_the_service(enterprise, staff):
    bureau = Unit.objects.get(name="驿城区商务局")
    body = {
        "area": "411702",
        "name": "新能源汽车零部件项目",
        "code": "YC-2026-001",
        "investor_id": enterprise.pk,
        "total_investment": "20000.5",
        "foreign_capital": 300,
        "method": "chain",
        "source_region": "yrd",
        "lead_cadre_id": person_of(User.objects.get(username="yc_leader")).pk,
        "tracker_ids": [person_of(staff).pk],
        "cooperating_unit_ids": [bureau.pk],
        "note": "首次接洽",
    }
    response = call(as_("yc_staff"), "post", PROJECTS, body)
    assert response.status_code == 201, response.data
    project = Project.objects.get(pk=response.data["id"])
    assert (project.name, project.area.code, project.investor, project.stage) == (
        "新能源汽车零部件项目",
        "411702",
        enterprise,
        "lead",
    )
    assert project.total_investment == Decimal("20000.5")
    assert response.data["total_investment"] == "20000.5000"
    assert response.data["foreign_capital"] == "300.0000"
    assert list(project.trackers.all()) == [person_of(staff)]
    assert project.stage_events.get().note == "首次接洽"
    assert AuditEvent.objects.filter(
        object_type="projects.project", object_id=str(project.pk), username="yc_staff"
    ).exists()


def test_it_creates_a_signed_project_with_its_contract(enterprise):
    body = {
        "name": "已签约项目",
        "stage": "signed",
        "event_date": str(TODAY - dt.timedelta(days=3)),
        "contract_date": str(TODAY - dt.timedelta(days=3)),
        "contracted_amount": "8000",
    }
    response = call(as_("yc_chief"), "post", PROJECTS, body)
    assert response.status_code == 201, response.data
    assert (response.data["stage"], response.data["contracted_amount"]) == ("signed", "8000.0000")


@pytest.mark.parametrize("area", ["411721", "411700", "999999", "41170"])
def test_it_answers_404_for_an_area_the_caller_cannot_see(area):
    before = counts()
    response = call(as_("yc_staff"), "post", PROJECTS, {"area": area, "name": "越界项目"})
    assert (response.status_code, response.data["code"]) == (404, "not_found")
    assert counts() == before


@pytest.mark.parametrize("username", ["yc_viewer", "yc_supervisor", "yc_investor"])
def test_it_forbids_read_only_roles_to_create(username):
    before = counts()
    response = call(as_(username), "post", PROJECTS, {"name": "只读用户的项目"})
    assert (response.status_code, response.data["code"]) == (403, "forbidden")
    assert counts() == before


@pytest.mark.parametrize(
    "body, field, text",
    [
        ({}, "name", ""),
        ({"name": ""}, "name", ""),
        ({"name": "x" * 201}, "name", ""),
        ({"name": "负数", "total_investment": "-1"}, "total_investment", ""),
        ({"name": "太精确", "total_investment": "1.00001"}, "total_investment", ""),
        ({"name": "浮点", "total_investment": "NaN"}, "total_investment", ""),
        ({"name": "大数", "total_investment": "1e20"}, "total_investment", ""),
        ({"name": "空字符\x00"}, "name", "NUL"),
        ({"name": "方式", "method": "bribery"}, "method", ""),
        ({"name": "阶段", "stage": "paused"}, "stage", ""),
        ({"name": "签约", "stage": "signed"}, "contract_date", ""),
        ({"name": "投资方", "investor_id": 2**62}, "investor_id", ""),
        ({"name": "投资方", "investor_id": 2**64}, "investor_id", ""),
        ({"name": "跟踪", "tracker_ids": [0]}, "tracker_ids.0", ""),
        ({"name": "日期", "event_date": "2026-02-30"}, "event_date", ""),
        ({"name": "未来", "event_date": "2999-01-01"}, "event_date", ""),
        ({"name": "类型", "land_area": "12.345"}, "land_area", ""),
        ({"name": "类型", "tracker_ids": "1,2"}, "tracker_ids", ""),
        ({"name": "拼错", "totla_investment": "1"}, "totla_investment", ""),
        ({"name": "区域", "area": "411702", "version": 1}, "version", ""),
    ],
)
def test_it_refuses_bad_project_input_and_writes_nothing(body, field, text):
    before = counts()
    assert_invalid(call(as_("yc_staff"), "post", PROJECTS, body), field, text)
    assert counts() == before


def test_it_refuses_chain_members_from_another_district_and_writes_nothing():
    xp_staff = person_of(User.objects.get(username="xp_staff"))
    before = counts()
    hidden = call(as_("yc_staff"), "post", PROJECTS, {"name": "链", "tracker_ids": [xp_staff.pk]})
    assert_invalid(hidden, "tracker_ids")
    visible = call(
        as_("zmd_city"),
        "post",
        PROJECTS,
        {"name": "链", "area": "411702", "lead_cadre_id": xp_staff.pk},
    )
    assert_invalid(visible, "lead_cadre")
    assert counts() == before


def test_it_refuses_a_duplicate_project_number_with_422(make_project):
    make_project(name="甲", code="DUP-1")
    before = counts()
    assert_invalid(
        call(as_("yc_staff"), "post", PROJECTS, {"name": "乙", "code": "DUP-1"}), "__all__"
    )
    assert counts() == before


def test_it_answers_400_json_to_a_body_that_is_not_json():
    before = counts()
    response = call(as_("yc_staff"), "post", PROJECTS, "{not json")
    assert (response.status_code, response.data["code"]) == (400, "bad_request")
    assert counts() == before


# --- updating -------------------------------------------------------------------------------


def test_it_updates_the_fields_sent_and_bumps_the_version(project):
    url = f"{PROJECTS}/{project.pk}"
    response = call(
        as_("yc_staff"), "put", url, {"version": 1, "name": "改名后", "total_investment": "7000"}
    )
    assert response.status_code == 200, response.data
    assert (response.data["name"], response.data["version"]) == ("改名后", 2)
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.name, fresh.total_investment, fresh.investor_name) == (
        "改名后",
        Decimal("7000"),
        "测试投资方",
    )
    audit = AuditEvent.objects.filter(
        object_type="projects.project", object_id=str(project.pk), action="update"
    ).latest("id")
    assert audit.after["name"] == "改名后" and audit.before["name"] == "API测试项目"


def test_it_clears_a_reference_sent_as_null(make_project, enterprise):
    project = make_project(name="清空投资方", investor=enterprise)
    response = call(
        as_("yc_staff"), "put", f"{PROJECTS}/{project.pk}", {"version": 1, "investor_id": None}
    )
    assert response.status_code == 200, response.data
    assert Project.objects.get(pk=project.pk).investor is None


def test_it_answers_409_to_a_stale_version_and_changes_nothing(project):
    url = f"{PROJECTS}/{project.pk}"
    assert call(as_("yc_staff"), "put", url, {"version": 1, "notes": "第一次"}).status_code == 200
    before, total = stored(project), counts()
    response = call(as_("yc_chief"), "put", url, {"version": 1, "name": "过期的修改"})
    assert response.status_code == 409
    assert response.data["code"] == "conflict" and response.data["current_version"] == 2
    assert response.data["message"]
    assert (stored(project), counts()) == (before, total)


def test_it_lets_exactly_one_of_two_racing_updates_win(project):
    url = f"{PROJECTS}/{project.pk}"
    first, second = as_("yc_staff"), as_("yc_chief")
    results = [
        call(first, "put", url, {"version": 1, "name": "甲的修改", "tracker_ids": []}),
        call(second, "put", url, {"version": 1, "name": "乙的修改", "total_investment": "1"}),
    ]
    assert sorted(r.status_code for r in results) == [200, 409]
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.name, fresh.total_investment, fresh.version) == ("甲的修改", Decimal("5000"), 2)
    updates = AuditEvent.objects.filter(
        object_type="projects.project", object_id=str(project.pk), action="update"
    )
    assert updates.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "没有版本"}, "version"),
        ({"version": 0, "name": "x"}, "version"),
        ({"version": 1, "name": None}, "name"),
        ({"version": 1, "total_investment": "-5"}, "total_investment"),
        ({"version": 1, "cluster_id": 2**40}, "cluster_id"),
        ({"version": 1, "key_level": "national"}, "key_level"),
        ({"version": 1, "start_date": "yesterday"}, "start_date"),
    ],
)
def test_it_refuses_a_bad_update_and_changes_nothing(project, body, field):
    before, total = stored(project), counts()
    assert_invalid(call(as_("yc_staff"), "put", f"{PROJECTS}/{project.pk}", body), field)
    assert (stored(project), counts()) == (before, total)


def test_it_refuses_to_unsign_a_signed_project_by_update(make_project):
    project = make_project(
        name="已签",
        stage=Stage.SIGNED,
        contract_date=TODAY,
        contracted_amount=Decimal("10"),
        event_date=TODAY,
    )
    before = stored(project)
    response = call(
        as_("yc_staff"), "put", f"{PROJECTS}/{project.pk}", {"version": 1, "contract_date": None}
    )
    assert_invalid(response, "contract_date")
    assert stored(project) == before


# --- stage moves ----------------------------------------------------------------------------


def test_it_moves_a_project_and_records_the_event(project):
    url = f"{PROJECTS}/{project.pk}/transitions"
    body = {
        "to_stage": "intention",
        "event_date": str(TODAY - dt.timedelta(days=1)),
        "note": "意向书",
    }
    response = call(as_("yc_staff"), "post", url, body)
    assert response.status_code == 200, response.data
    assert (response.data["stage"], response.data["version"]) == ("intention", 2)
    event = StageEvent.objects.filter(project=project).latest("id")
    assert (event.from_stage, event.to_stage, event.note, event.actor.username) == (
        "lead",
        "intention",
        "意向书",
        "yc_staff",
    )


def test_it_signs_with_the_contract_data_in_the_move(make_project, staff):
    project = make_project(name="谈判中")
    for stage in (Stage.INTENTION, Stage.NEGOTIATION):
        services.project_transition(acting_user=staff, project=project, to_stage=stage)
    body = {
        "to_stage": "signed",
        "contract_date": str(TODAY),
        "contracted_amount": "6000.25",
        "version": 3,
    }
    response = call(as_("yc_staff"), "post", f"{PROJECTS}/{project.pk}/transitions", body)
    assert response.status_code == 200, response.data
    assert (response.data["stage"], response.data["contracted_amount"]) == ("signed", "6000.2500")


def test_it_refuses_an_illegal_move_with_the_services_message(project):
    before, total = stored(project), counts()
    response = call(
        as_("yc_staff"), "post", f"{PROJECTS}/{project.pk}/transitions", {"to_stage": "signed"}
    )
    expected = transition_error(Project.objects.get(pk=project.pk), "signed", reason="")
    assert expected
    assert_invalid(response, "to_stage", expected)
    assert response.data["message"] == expected
    assert (stored(project), counts()) == (before, total)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"to_stage": "paused"}, "reason"),
        ({"to_stage": "lead"}, "to_stage"),
        ({"to_stage": "heaven"}, "to_stage"),
        ({}, "to_stage"),
        ({"to_stage": "intention", "event_date": "2999-01-01"}, "event_date"),
        ({"to_stage": "intention", "event_date": "1999-01-01"}, "event_date"),
        ({"to_stage": "intention", "contracted_amount": "-3"}, "contracted_amount"),
        ({"to_stage": "intention", "note": "\x00"}, "note"),
    ],
)
def test_it_refuses_a_bad_move_and_changes_nothing(project, body, field):
    before, total = stored(project), counts()
    response = call(as_("yc_staff"), "post", f"{PROJECTS}/{project.pk}/transitions", body)
    assert_invalid(response, field)
    assert (stored(project), counts()) == (before, total)


def test_it_answers_409_to_a_move_on_a_stale_version(project):
    before, total = stored(project), counts()
    body = {"to_stage": "intention", "version": 7}
    response = call(as_("yc_staff"), "post", f"{PROJECTS}/{project.pk}/transitions", body)
    assert (response.status_code, response.data["current_version"]) == (409, 1)
    assert (stored(project), counts()) == (before, total)


# --- activities -----------------------------------------------------------------------------


def test_it_records_and_lists_activities(project, staff):
    url = f"{PROJECTS}/{project.pk}/activities"
    body = {
        "kind": "visit",
        "date": str(TODAY - dt.timedelta(days=2)),
        "days": "1.5",
        "people_ids": [staff.pk, User.objects.get(username="yc_chief").pk],
        "region": "长三角",
        "outcome": "对方同意来驻考察",
        "next_step": "安排考察",
        "next_due": str(TODAY + dt.timedelta(days=10)),
    }
    created = call(as_("yc_staff"), "post", url, body)
    assert created.status_code == 201, created.data
    assert (created.data["days"], created.data["created_by"]) == ("1.5", "yc_staff")
    listed = call(as_("zmd_city"), "get", url).data
    assert [a["id"] for a in listed] == [created.data["id"]]
    assert {p["username"] for p in listed[0]["people"]} == {"yc_staff", "yc_chief"}
    assert listed[0]["kind_label"]
    detail = call(as_("yc_staff"), "get", f"{PROJECTS}/{project.pk}").data
    assert (detail["last_progress"], detail["stuck"]) == (body["date"], False)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "visit", "date": "2999-01-01"}, "date"),
        ({"kind": "party", "date": "2026-01-01"}, "kind"),
        ({"kind": "visit"}, "date"),
        ({"kind": "visit", "date": "2026-01-01", "days": "-1"}, "days"),
        ({"kind": "visit", "date": "2026-01-01", "days": "1000"}, "days"),
        ({"kind": "visit", "date": "2026-01-01", "next_due": "2025-12-01"}, "next_due"),
        ({"kind": "visit", "date": "2026-01-01", "people_ids": [2**50]}, "people_ids"),
    ],
)
def test_it_refuses_a_bad_activity_and_writes_nothing(project, body, field):
    before = counts()
    response = call(as_("yc_staff"), "post", f"{PROJECTS}/{project.pk}/activities", body)
    assert_invalid(response, field)
    assert counts() == before


def test_it_refuses_people_from_the_sibling_district_on_an_activity(project):
    xp_staff = User.objects.get(username="xp_staff")
    before = counts()
    body = {"kind": "talks", "date": str(TODAY), "people_ids": [xp_staff.pk]}
    assert_invalid(
        call(as_("zmd_city"), "post", f"{PROJECTS}/{project.pk}/activities", body), "people"
    )
    assert counts() == before


# --- enterprises ----------------------------------------------------------------------------


def test_it_registers_and_updates_an_enterprise():
    body = {
        "name": "驻马店新材料有限公司",
        "uscc": valid_uscc().lower(),
        "region_code": "411702",
        "industry_code": "C3660",
        "registered_capital": "5000",
        "tags": ["hightech"],
        "employees": 120,
    }
    created = call(as_("yc_staff"), "post", ENTERPRISES, body)
    assert created.status_code == 201, created.data
    assert (created.data["uscc"], created.data["area"]) == (valid_uscc(), "411702")
    assert created.data["registered_capital"] == "5000.0000"
    url = f"{ENTERPRISES}/{created.data['id']}"
    updated = call(as_("zmd_city"), "put", url, {"employees": 150, "tags": []})
    assert updated.status_code == 200, updated.data
    fresh = Enterprise.objects.get(pk=created.data["id"])
    assert (fresh.employees, fresh.tags, fresh.name) == (150, [], "驻马店新材料有限公司")
    listed = call(as_("yc_staff"), "get", f"{ENTERPRISES}?q=新材料").data
    assert [e["id"] for e in listed["items"]] == [fresh.pk] and listed["count"] == 1


@pytest.mark.parametrize(
    "body, field, text",
    [
        ({"name": "校验位", "uscc": valid_uscc()[:17] + "X"}, "uscc", "18"),
        ({"name": "长度", "uscc": "123"}, "uscc", "18"),
        ({"name": "行业", "industry_code": "Z99"}, "industry_code", ""),
        ({"name": "标签", "tags": ["famous"]}, "tags.0", ""),
        ({"name": "人数", "employees": -1}, "employees", ""),
        ({"name": "地区", "region_code": "abc"}, "region_code", ""),
        ({"uscc": valid_uscc()}, "name", ""),
    ],
)
def test_it_refuses_a_bad_enterprise_and_writes_nothing(body, field, text):
    before = counts()
    assert_invalid(call(as_("yc_staff"), "post", ENTERPRISES, body), field, text)
    assert counts() == before


def test_it_refuses_a_duplicate_credit_code(enterprise):
    code = valid_uscc("91411702MA9F00002")
    services.enterprise_save(
        acting_user=None, enterprise=Enterprise(area=enterprise.area, name="先来", uscc=code)
    )
    before = counts()
    assert_invalid(
        call(as_("yc_staff"), "post", ENTERPRISES, {"name": "后到", "uscc": code}), "uscc"
    )
    assert counts() == before


def test_it_answers_404_for_an_enterprise_in_a_hidden_area():
    before = counts()
    response = call(as_("yc_staff"), "post", ENTERPRISES, {"name": "越界", "area": "411721"})
    assert response.status_code == 404
    assert counts() == before


# --- errors and the schema ----------------------------------------------------------------


def test_it_serves_the_openapi_schema_with_every_route():
    response = call(as_("yc_viewer"), "get", "/api/openapi.json")
    assert response.status_code == 200
    paths = response.data["paths"]
    expected = {
        "/api/v1/enterprises": {"get", "post"},
        "/api/v1/enterprises/{enterprise_id}": {"get", "put"},
        "/api/v1/projects": {"get", "post"},
        "/api/v1/projects/{project_id}": {"get", "put"},
        "/api/v1/projects/{project_id}/transitions": {"post"},
        "/api/v1/projects/{project_id}/activities": {"get", "post"},
    }
    assert {path: set(paths.get(path, {})) for path in expected} == expected
    schemes = response.data["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    docs = as_("yc_viewer").get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"https://" not in docs.content  # vendored, not a CDN: intranets and the CSP


def test_it_answers_json_to_unknown_urls_and_methods(project):
    missing = call(as_("yc_staff"), "get", "/api/v1/nothing-here")
    assert (missing.status_code, missing.data["code"]) == (404, "not_found")
    wrong = call(as_("yc_staff"), "delete", f"{PROJECTS}/{project.pk}")
    assert (wrong.status_code, wrong.data["code"]) == (405, "method_not_allowed")
    assert Project.objects.filter(pk=project.pk).exists()


def test_it_answers_json_500_as_a_last_resort(monkeypatch, project):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("zhaoshang.projects.selectors.project_page_or_404", broken)
    response = call(as_("yc_staff"), "get", f"{PROJECTS}/{project.pk}")
    assert (response.status_code, response.data["code"]) == (500, "server_error")
    assert "boom" not in response.data["message"]


def test_it_refuses_writes_before_the_totp_step(project, user_named: Callable[[str], User]):
    from django.test import Client

    client = Client()
    client.force_login(user_named("yc_admin"), backend="zhaoshang.core.backends.AccountBackend")
    response = call(client, "put", f"{PROJECTS}/{project.pk}", {"version": 1, "name": "未验证"})
    assert response.status_code == 403 and response.data["code"] == "otp_verify"
    assert Project.objects.get(pk=project.pk).version == 1


# --- dates that make sense (签约日期 ≤ 开工日期 ≤ 投产日期, none in the future) -------------


def test_it_refuses_dates_out_of_order_or_in_the_future_naming_each_field(project):
    url = f"{PROJECTS}/{project.pk}"
    before, total = stored(project), counts()
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = call(as_("yc_staff"), "put", url, {"version": 1, "contract_date": tomorrow})
    assert_invalid(response, "contract_date", "不能晚于今天")
    body = {
        "version": 1,
        "contract_date": (TODAY - dt.timedelta(days=10)).isoformat(),
        "start_date": (TODAY - dt.timedelta(days=20)).isoformat(),
        "production_date": (TODAY - dt.timedelta(days=30)).isoformat(),
    }
    response = call(as_("yc_staff"), "put", url, body)
    assert_invalid(response, "start_date", "开工日期不能早于签约日期")
    assert_invalid(response, "production_date", "投产日期不能早于开工日期")
    assert (stored(project), counts()) == (before, total)
    body["start_date"], body["production_date"] = body["production_date"], body["start_date"]
    body["contract_date"] = (TODAY - dt.timedelta(days=40)).isoformat()
    assert call(as_("yc_staff"), "put", url, body).status_code == 200


def test_it_refuses_an_enterprise_founded_in_the_future(enterprise):
    url = f"{ENTERPRISES}/{enterprise.pk}"
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    total = counts()
    response = call(as_("yc_staff"), "put", url, {"founded_on": tomorrow})
    assert_invalid(response, "founded_on", "不能晚于今天")
    assert counts() == total
