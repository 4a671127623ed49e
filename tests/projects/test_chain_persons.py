"""Responsibility chains name Persons (人员库) of the right rank, within reach, one slot each."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories import PersonFactory, person_of
from tests.helpers import signed_in_client
from tests.projects.conftest import call
from zhaoshang.construction.services.investment import key_entry_add
from zhaoshang.core import services as core_services
from zhaoshang.core.choices import PersonRank
from zhaoshang.core.models import Area, AuditEvent, Person, User
from zhaoshang.projects import services
from zhaoshang.projects.forms import ProjectForm
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects"


@pytest.fixture
def yicheng(db: None) -> Area:
    return Area.objects.get(code="411702")


@pytest.fixture
def rank(yicheng: Area) -> Callable[..., Person]:
    """A Person of 驿城区 of the given rank (no account)."""

    def make(value: str, **fields: Any) -> Person:
        return PersonFactory(area=yicheng, rank=value, **fields)

    return make


def written() -> tuple[int, int]:
    return Project.objects.count(), AuditEvent.objects.count()


def key_listed(project: Project) -> None:
    """This year's 区重点 list: the chain report covers the year's key projects."""
    key_entry_add(
        acting_user=None,
        project=project,
        year=timezone.localdate().year,
        level="district",
        planned_investment=Decimal(0),
    )


def create(staff: User, **fields: Any) -> Project:
    fields.setdefault("investor_name", "链条测试投资方")
    fields.setdefault("total_investment", Decimal("1000"))
    return services.project_create(acting_user=staff, area=staff.area, name="链条", **fields)


# --- the service: every page, API call and import is refused alike --------------------------


def test_it_accepts_a_full_chain_of_fitting_ranks_including_an_accountless_leader(staff, rank):
    project = create(
        staff,
        lead_cadre=rank(PersonRank.DISTRICT_LEADER, name="张卫东", post="副区长"),
        responsible_chief=rank(PersonRank.CHIEF),
        frontline_sub_chief=rank(PersonRank.SUB_CHIEF),
        trackers=[rank(PersonRank.OFFICER), rank(PersonRank.OFFICER)],
    )
    assert project.lead_cadre.user is None and project.trackers.count() == 2


def test_it_refuses_every_slot_of_the_wrong_rank_at_once_and_writes_nothing(staff, rank):
    before = written()
    with pytest.raises(ValidationError) as info:
        create(
            staff,
            lead_cadre=rank(PersonRank.OFFICER),
            responsible_chief=rank(PersonRank.SUB_CHIEF),
            frontline_sub_chief=rank(PersonRank.OTHER),  # a read-only viewer, say
            trackers=[rank(PersonRank.CHIEF)],
        )
    errors = info.value.message_dict
    assert errors == {
        "lead_cadre": [
            gettext("The lead cadre must be a district leader or a division-level cadre.")
        ],
        "responsible_chief": [gettext("The responsible chief must be a bureau chief.")],
        "frontline_sub_chief": [gettext("The frontline sub-chief must be a sub-bureau chief.")],
        "trackers": [gettext("Trackers must be investment officers.")],
    }
    assert written() == before


def test_it_refuses_an_inactive_person_and_one_of_another_county(staff, rank):
    gone = rank(PersonRank.DIVISION, active=False)
    xiping = PersonFactory(area=Area.objects.get(code="411721"), rank=PersonRank.SUB_CHIEF)
    with pytest.raises(ValidationError) as info:
        create(staff, lead_cadre=gone, frontline_sub_chief=xiping)
    assert set(info.value.message_dict) == {"lead_cadre", "frontline_sub_chief"}
    assert (
        gettext("This person belongs to another area.")
        in (info.value.message_dict["frontline_sub_chief"])
    )


def test_it_refuses_one_person_in_two_slots(staff, rank):
    officer = rank(PersonRank.OFFICER)
    with pytest.raises(ValidationError) as info:
        create(staff, lead_cadre=officer, trackers=[officer])
    assert "lead_cadre" in info.value.message_dict  # wrong rank there, whatever else

    project = create(staff)
    Project.objects.filter(pk=project.pk).update(lead_cadre=officer)  # as a legacy row has it
    project.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        services.project_update(
            acting_user=staff,
            project=project,
            expected_version=project.version,
            trackers=[officer, rank(PersonRank.OFFICER)],
            notes="换人",
        )
    assert list(info.value.message_dict) == ["trackers"]  # the kept 牵头 is not judged again


def test_it_keeps_a_stored_member_of_another_rank_on_an_unrelated_edit(staff, rank):
    project = create(staff)
    chief = rank(PersonRank.CHIEF)
    Project.objects.filter(pk=project.pk).update(lead_cadre=chief)  # migrated from an account
    project.refresh_from_db()
    services.project_update(
        acting_user=staff, project=project, expected_version=project.version, notes="只改备注"
    )
    with pytest.raises(ValidationError) as info:
        services.project_update(
            acting_user=staff,
            project=project,
            expected_version=project.version,
            responsible_chief=rank(PersonRank.CHIEF),
            lead_cadre=rank(PersonRank.CHIEF),
        )
    assert list(info.value.message_dict) == ["lead_cadre"]


# --- the API ------------------------------------------------------------------------------


def test_the_api_answers_422_naming_the_slot_of_the_wrong_rank(staff, rank):
    before = written()
    response = call(
        signed_in_client("yc_staff"),
        "post",
        PROJECTS,
        {
            "name": "接口链条",
            "investor_name": "甲",
            "lead_cadre_id": rank(PersonRank.OFFICER).pk,
            "frontline_sub_chief_id": rank(PersonRank.SUB_CHIEF).pk,
            "tracker_ids": [rank(PersonRank.DIVISION).pk],
        },
    )
    assert response.status_code == 422, response.data
    assert set(response.data["errors"]) == {"lead_cadre", "trackers"}
    assert written() == before


def test_the_api_does_not_resolve_a_person_of_another_county(staff):
    xiping = PersonFactory(area=Area.objects.get(code="411721"), rank=PersonRank.DIVISION)
    response = call(
        signed_in_client("yc_staff"),
        "post",
        PROJECTS,
        {"name": "接口链条", "investor_name": "甲", "lead_cadre_id": xiping.pk},
    )
    assert response.status_code == 422 and "lead_cadre_id" in response.data["errors"]


def test_the_api_shows_chain_members_as_persons_and_hides_them_from_an_outsider(staff, rank):
    leader = rank(PersonRank.DISTRICT_LEADER, name="张卫东", post="副区长", unit=None)
    project = create(staff, lead_cadre=leader)
    got = call(signed_in_client("yc_staff"), "get", f"{PROJECTS}/{project.pk}").data
    assert got["chain"]["lead_cadre"] == {
        "id": leader.pk,
        "name": "张卫东",
        "post": "副区长",
        "rank": "district_leader",
        "unit": None,
    }
    outsider = call(signed_in_client("xp_staff"), "get", f"{PROJECTS}/{project.pk}")
    assert outsider.status_code == 404


# --- the page -----------------------------------------------------------------------------


def test_the_form_offers_each_slot_only_the_persons_of_its_rank_in_reach(staff, rank):
    leader, chief = rank(PersonRank.DIVISION), rank(PersonRank.CHIEF)
    officer, inactive = rank(PersonRank.OFFICER), rank(PersonRank.DIVISION, active=False)
    city = PersonFactory(area=staff.area.parent, rank=PersonRank.DISTRICT_LEADER)
    xiping = PersonFactory(area=Area.objects.get(code="411721"), rank=PersonRank.DIVISION)
    form = ProjectForm(user=staff)
    offered = {name: set(form.fields[name].queryset) for name in ("lead_cadre", "trackers")}
    assert {leader, city} <= offered["lead_cadre"]
    assert not {chief, officer, inactive, xiping} & offered["lead_cadre"]
    assert officer in offered["trackers"] and leader not in offered["trackers"]
    assert chief in set(form.fields["responsible_chief"].queryset)


def test_the_page_refuses_a_person_of_the_wrong_rank_and_writes_nothing(staff, rank):
    client: Client = signed_in_client("yc_staff")
    before = written()
    response = client.post(
        "/projects/new/",
        {
            "area": staff.area_id,
            "name": "页面链条",
            "investor_name": "某投资方",
            "method": "chain",
            "total_investment": "3000",
            "foreign_capital": "0",
            "out_of_city_capital": "0",
            "frontline_sub_chief": rank(PersonRank.OTHER).pk,
        },
    )
    assert response.status_code == 200
    assert "frontline_sub_chief" in response.context["form"].errors
    assert written() == before


def test_the_chain_report_lists_gaps_with_persons(staff, rank, client_for):
    project = create(
        staff,
        lead_cadre=rank(PersonRank.DIVISION, name="马俊峰"),
        frontline_sub_chief=rank(PersonRank.SUB_CHIEF),
    )
    key_listed(project)
    page = client_for("yc_staff").get("/projects/reports/chains/")
    assert page.status_code == 200 and project.name in page.content.decode()


def test_the_person_of_an_account_keeps_its_name_post_and_rank(user_named):
    person = person_of(user_named("yc_subchief"))
    assert (person.name, person.post, person.rank) == ("孙海涛", "分局长", PersonRank.SUB_CHIEF)
    assert person_of(user_named("yc_subchief")) == person  # made once


def test_the_chain_report_reads_any_number_of_projects_in_few_queries(staff, rank, client_for):
    client = client_for("yc_staff")

    def queries() -> int:
        with CaptureQueriesContext(connection) as done:
            assert client.get("/projects/reports/chains/").status_code == 200
        return len(done)

    key_listed(create(staff, lead_cadre=rank(PersonRank.DIVISION)))
    queries()  # the session and the user, once
    few = queries()
    for i in range(8):
        project = services.project_create(
            acting_user=staff,
            area=staff.area,
            name=f"链条{i}",
            investor_name="甲",
            lead_cadre=rank(PersonRank.DISTRICT_LEADER),
            frontline_sub_chief=rank(PersonRank.SUB_CHIEF),
            trackers=[rank(PersonRank.OFFICER)],
        )
        key_listed(project)
    assert queries() == few


def test_a_merge_that_would_put_one_person_in_two_slots_of_a_chain_is_refused(staff, rank):
    lead = rank(PersonRank.DIVISION, name="马俊峰")
    same_man = rank(PersonRank.OFFICER, name="马俊峰")
    project = create(staff, lead_cadre=lead, trackers=[same_man])
    with pytest.raises(ValidationError) as refused:
        core_services.person_merge(
            acting_user=staff, survivor=lead, duplicates=[same_man], expected_version=lead.version
        )
    assert project.name in str(refused.value)
    assert Person.objects.filter(pk=same_man.pk).exists()  # nothing moved or deleted
    assert list(Project.objects.get(pk=project.pk).trackers.all()) == [same_man]
