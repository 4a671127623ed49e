"""首页 "my work": the panels apps register (core.navigation), per role, scoped, linked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import PersonFactory, person_of
from tests.helpers import signed_in_client
from zhaoshang.construction.services.investment import key_entry_add
from zhaoshang.construction.services.workplan import milestone_create
from zhaoshang.core.calendar import add_working_days
from zhaoshang.core.models import User
from zhaoshang.core.navigation import home_panels_for
from zhaoshang.projects import services as project_services
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


def user(name: str) -> User:
    return User.objects.get(username=name)


def project_of(username: str, name: str, **fields: Any) -> Project:
    acting = user(username)
    return project_services.project_create(
        acting_user=acting,
        area=acting.area,
        name=name,
        investor_name="测试投资方",
        total_investment=Decimal("8000"),
        event_date=dt.date(2026, 1, 5),
        **fields,
    )


def home(username: str) -> str:
    response = signed_in_client(username).get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def work() -> dict[str, Any]:
    """yc_staff tracks a project with a milestone due soon, one far off and one overdue;
    the sibling district (xp_staff) has its own, which yc may never see."""
    today = timezone.localdate()
    staff, chief = user("yc_staff"), user("yc_chief")
    me = person_of(staff)
    other = PersonFactory(area=staff.area)
    mine = project_of("yc_staff", "我跟踪的项目", trackers=[me, other])
    soon = milestone_create(
        acting_user=staff,
        project=mine,
        title="近期节点",
        due_date=add_working_days(today, 2),
        responsible_person=person_of(chief),
    )
    milestone_create(
        acting_user=staff, project=mine, title="远期节点", due_date=today + dt.timedelta(days=60)
    )
    late = milestone_create(
        acting_user=None, project=mine, title="逾期节点", due_date=today - dt.timedelta(days=3)
    )
    xp = user("xp_staff")
    theirs = project_of(
        "xp_staff", "西平项目", trackers=[person_of(xp), PersonFactory(area=xp.area)]
    )
    milestone_create(acting_user=xp, project=theirs, title="西平节点", due_date=today)
    Project.objects.filter(pk=theirs.pk).update(last_progress_on=dt.date(2020, 1, 1))
    return {"mine": mine, "soon": soon, "late": late, "theirs": theirs}


def test_staff_sees_their_chain_projects_and_the_areas_due_milestones_with_links(work):
    body = home("yc_staff")
    assert f'href="/projects/{work["mine"].pk}/"' in body
    assert "· 近期节点" in body and "· 逾期节点" in body and "远期节点" not in body
    assert f'href="/construction/projects/{work["mine"].pk}/workplan/"' in body
    assert 'href="/areas/411702/"' in body  # the area summary stays one click away


def test_others_see_only_the_milestones_they_answer_for(work):
    chief = home("yc_chief")
    assert "· 近期节点" in chief and "· 逾期节点" not in chief  # 责任人 of one, not the other
    panel = next(p for p in home_panels_for(user("yc_chief")) if p["key"] == "my_chain")
    assert panel["projects"] == []  # not in its chain
    assert "近期节点" not in home("yc_viewer")


def test_the_outsiders_items_never_appear(work):
    for name in ("yc_staff", "yc_chief", "yc_leader"):
        body = home(name)
        assert "西平" not in body
        assert f"/projects/{work['theirs'].pk}/" not in body
    xp = home("xp_staff")
    assert "西平节点" in xp and "西平项目" in xp and "近期节点" not in xp


def test_stuck_projects_of_the_area_link_to_the_project(work):
    Project.objects.filter(pk=work["mine"].pk).update(last_progress_on=dt.date(2020, 1, 1))
    panel = next(p for p in home_panels_for(user("yc_chief")) if p["key"] == "stuck")
    assert [p.pk for p in panel["projects"]] == [work["mine"].pk]
    assert f'href="/projects/{work["mine"].pk}/"' in home("yc_chief")


def test_an_incomplete_key_chain_the_user_holds_a_slot_of_is_listed(work):
    year = timezone.localdate().year
    key_entry_add(
        acting_user=None,
        project=work["mine"],
        year=year,
        level="city",
        planned_investment=Decimal("100"),
    )
    panel = next(p for p in home_panels_for(user("yc_staff")) if p["key"] == "incomplete_chains")
    assert [(p.pk, "lead_cadre" in gaps) for p, gaps in panel["report"]] == [
        (work["mine"].pk, True)
    ]
    assert f'href="/projects/{work["mine"].pk}/edit/"' in home("yc_staff")
    chief = next(p for p in home_panels_for(user("yc_chief")) if p["key"] == "incomplete_chains")
    assert chief["report"] == []  # holds no slot of it


def test_the_leader_sees_indicator_completion_against_time_and_staff_do_not():
    leader = home("yc_leader")
    assert 'id="panel-indicators"' in leader and 'href="/targets/?area=411702' in leader
    assert 'id="panel-indicators"' not in home("yc_staff")


def test_importers_see_the_latest_imports_and_viewers_do_not():
    assert 'id="panel-latest_imports"' in home("yc_staff")
    assert 'id="panel-latest_imports"' not in home("yc_viewer")


def test_the_investor_is_still_sent_to_their_projects():
    response = signed_in_client("yc_investor").get("/")
    assert response.status_code == 302 and response["Location"] == "/my/projects/"


def test_the_home_page_takes_a_fixed_number_of_queries(work, django_assert_num_queries):
    client = signed_in_client("yc_staff")
    client.get("/")
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get("/").status_code == 200
    staff = user("yc_staff")
    for i in range(12):
        extra = project_of(
            "yc_staff", f"批量项目{i}", trackers=[person_of(staff), PersonFactory(area=staff.area)]
        )
        milestone_create(
            acting_user=staff,
            project=extra,
            title=f"批量节点{i}",
            due_date=timezone.localdate(),
            responsible_person=PersonFactory(area=staff.area),
        )
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get("/").status_code == 200


# the user read with area, unit and roles (core.backends); … the unread alerts in the navigation
# bar; the approvals panel (items, count)
HOME_QUERIES = 13
