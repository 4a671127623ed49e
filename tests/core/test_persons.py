"""The 人员库 (Person directory): pages, services, merge, and the Person made with an account."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from tests.core.person_refs import ChainStandIn
from tests.factories import PersonFactory, UnitFactory, UserFactory
from tests.helpers import assert_visibility, signed_in_client
from zhaoshang.core import services
from zhaoshang.core.choices import PersonRank, RoleCode
from zhaoshang.core.models import Area, AuditEvent, Person, User
from zhaoshang.core.versions import ConflictError

pytestmark = pytest.mark.django_db

YICHENG = "411702"
LIST = "/people/"


def yicheng() -> Area:
    return Area.objects.get(code=YICHENG)


def counts() -> tuple[int, int]:
    return Person.objects.count(), AuditEvent.objects.count()


def stored(person: Person) -> tuple[Any, ...]:
    fresh = Person.objects.get(pk=person.pk)
    return (fresh.name, fresh.post, fresh.rank, fresh.unit_id, fresh.phone, fresh.version)


def listed(response: Any) -> list[str]:
    return [p.name for p in response.context["page"]]


# --- a user's own Person ------------------------------------------------------------


def test_it_creates_the_person_with_the_account():
    user = UserFactory(area=yicheng(), title="副区长", roles=[RoleCode.LEADER])
    person = Person.objects.get(user=user)
    assert (person.name, person.post, person.rank, person.area, person.phone) == (
        user.full_name,
        "副区长",
        PersonRank.DISTRICT_LEADER,
        user.area,
        user.phone,
    )
    assert AuditEvent.objects.filter(
        object_type="core.person", object_id=str(person.pk), action="create"
    ).exists()


@pytest.mark.parametrize(
    ("role", "rank"),
    [
        (RoleCode.CHIEF, PersonRank.CHIEF),
        (RoleCode.SUB_CHIEF, PersonRank.SUB_CHIEF),
        (RoleCode.STAFF, PersonRank.OFFICER),
        (RoleCode.VIEWER, PersonRank.OTHER),
    ],
)
def test_it_takes_the_rank_from_the_roles(role, rank):
    user = UserFactory(area=yicheng(), roles=[role])
    assert Person.objects.get(user=user).rank == rank


def test_it_gives_an_investor_no_person():
    user = UserFactory(area=yicheng(), roles=[RoleCode.INVESTOR])
    assert not Person.objects.filter(user=user).exists()


def test_it_names_the_person_after_the_username_without_a_full_name():
    user = UserFactory(area=yicheng(), full_name="", roles=[RoleCode.STAFF])
    assert Person.objects.get(user=user).name == user.username


def test_it_gives_the_demo_accounts_their_persons():
    assert Person.objects.get(user__username="yc_leader").rank == PersonRank.DISTRICT_LEADER
    assert not Person.objects.filter(user__username="yc_investor").exists()


def test_it_follows_the_account_edits(user_named):
    admin = user_named("yc_admin")
    user = UserFactory(area=yicheng(), roles=[RoleCode.STAFF])
    person = Person.objects.get(user=user)
    unit = UnitFactory(area=yicheng())
    user.full_name, user.title, user.phone, user.unit = "宋新名", "副局长", "0396-2345678", unit
    services.user_save(acting_user=admin, user=user)
    person.refresh_from_db()
    assert (person.name, person.post, person.phone, person.unit) == (
        "宋新名",
        "副局长",
        "0396-2345678",
        unit,
    )
    event = AuditEvent.objects.filter(object_type="core.person", object_id=str(person.pk)).first()
    assert (event.action, event.user, event.after["name"]) == ("update", admin, "宋新名")


def test_it_follows_a_change_of_roles_unless_the_rank_was_set_by_hand(user_named):
    admin = user_named("yc_admin")
    user = UserFactory(area=yicheng(), roles=[RoleCode.STAFF])
    services.user_set_roles(acting_user=admin, user=user, roles=[RoleCode.CHIEF])
    assert Person.objects.get(user=user).rank == PersonRank.CHIEF
    person = Person.objects.get(user=user)
    services.person_update(
        acting_user=admin, person=person, expected_version=person.version, rank=PersonRank.DIVISION
    )
    services.user_set_roles(acting_user=admin, user=user, roles=[RoleCode.STAFF])
    assert Person.objects.get(user=user).rank == PersonRank.DIVISION


# --- the list ----------------------------------------------------------------------------


def test_it_lists_only_the_persons_of_the_users_areas():
    names = set(listed(signed_in_client("yc_viewer").get(LIST, {"q": ""})))
    assert {"王建华", "陈志远"} <= names
    assert "黄磊" not in names  # xp_staff's Person, in the sibling county
    city = set(listed(signed_in_client("zmd_city").get(LIST)))
    assert {"王建华", "黄磊"} <= city


def test_it_hides_the_directory_from_an_investor():
    assert signed_in_client("yc_investor").get(LIST).status_code == 404
    assert signed_in_client("yc_investor").get(f"{LIST}export.xlsx").status_code == 404


def test_it_shows_the_menu_entry_to_officials_only():
    assert LIST.encode() in signed_in_client("yc_viewer").get("/").content
    assert LIST.encode() not in signed_in_client("yc_investor").get("/audit/").content


def test_it_searches_filters_and_sorts():
    client = signed_in_client("yc_staff")
    assert listed(client.get(LIST, {"q": "区委书记"})) == ["王建华"]
    by_unit = listed(client.get(LIST, {"q": "驿城区人民政府", "rank": "district_leader"}))
    assert sorted(by_unit) == sorted(["李明辉", "张红梅", "陈志远"])
    no_account = client.get(LIST, {"has_account": "no"}).context["page"]
    assert no_account and all(p.user_id is None for p in no_account)
    with_account = client.get(LIST, {"has_account": "yes"}).context["page"]
    assert with_account and all(p.user_id is not None for p in with_account)
    ascending = listed(client.get(LIST, {"sort": "name", "area": YICHENG}))
    descending = listed(client.get(LIST, {"sort": "-name", "area": YICHENG}))
    assert ascending == sorted(ascending) and descending == sorted(descending, reverse=True)


def test_it_filters_by_rank():
    page = signed_in_client("yc_staff").get(LIST, {"rank": "district_leader"}).context["page"]
    assert {p.name for p in page} >= {"王建华", "李明辉", "张红梅", "陈志远"}
    assert all(p.rank == "district_leader" for p in page)


def test_it_lists_possible_duplicates():
    area = yicheng()
    PersonFactory(area=area, name="王建华", post="区委书记（重复录入）")
    names = listed(signed_in_client("yc_staff").get(LIST, {"duplicates": "on"}))
    assert names == ["王建华", "王建华"]


def test_it_lists_a_page_in_a_fixed_number_of_queries(django_assert_num_queries):
    client = signed_in_client("yc_staff")
    client.get(LIST)  # warm the session
    for i in range(5):
        PersonFactory(area=yicheng(), name=f"批量{i}", unit=UnitFactory(area=yicheng()))
    with django_assert_num_queries(QUERIES):
        response = client.get(LIST, {"sort": "unit"})
    assert response.status_code == 200 and len(response.context["page"]) > 10


QUERIES = 6  # with the unread alerts in the navigation bar; the user read with area, unit, roles


# --- create and edit ------------------------------------------------------------------------


def test_it_creates_a_person_from_the_page():
    unit = UnitFactory(area=yicheng())
    response = signed_in_client("yc_staff").post(
        "/people/new/",
        {
            "area": yicheng().pk,
            "name": "冯启明",
            "post": "区发改委主任",
            "rank": "division",
            "unit": unit.pk,
            "phone": "0396-2345678",
        },
    )
    person = Person.objects.get(name="冯启明")
    assert response.status_code == 302 and response.url == f"/people/{person.pk}/"
    assert (person.area.code, person.unit, person.rank, person.user) == (
        YICHENG,
        unit,
        "division",
        None,
    )
    event = AuditEvent.objects.get(object_type="core.person", object_id=str(person.pk))
    assert (event.action, event.username) == ("create", "yc_staff")


def _create_form(**over: Any) -> dict[str, Any]:
    return {"area": yicheng().pk, "name": "冯启明", "rank": "other", **over}


def test_it_refuses_a_bad_phone_and_writes_nothing():
    before = counts()
    response = signed_in_client("yc_staff").post("/people/new/", _create_form(phone="电话123"))
    assert response.status_code == 200
    assert str(services.BAD_PHONE) in response.context["form"].errors["phone"]
    assert counts() == before


def test_it_refuses_a_unit_of_another_area_and_writes_nothing(user_named):
    xiping_unit = user_named("xp_staff").unit
    city_user = signed_in_client("zmd_city")  # sees both areas' units
    before = counts()
    response = city_user.post("/people/new/", _create_form(unit=xiping_unit.pk))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert counts() == before


def test_it_refuses_an_area_outside_the_writers_reach():
    xiping = Area.objects.get(code="411721")
    before = counts()
    response = signed_in_client("yc_staff").post("/people/new/", _create_form(area=xiping.pk))
    assert response.status_code == 200 and "area" in response.context["form"].errors
    assert counts() == before
    with pytest.raises(ValidationError):
        services.person_create(
            acting_user=User.objects.get(username="yc_staff"), area=xiping, name="越权"
        )


def test_it_edits_a_person_and_bumps_the_version():
    person = Person.objects.get(name="李明辉")
    response = signed_in_client("yc_staff").post(
        f"/people/{person.pk}/edit/",
        {
            "name": "李明辉",
            "post": "常务副区长",
            "rank": "district_leader",
            "phone": "",
            "version": person.version,
        },
    )
    assert response.status_code == 302
    assert stored(person)[1::4] == ("常务副区长", person.version + 1)


def test_it_refuses_a_stale_version_and_writes_nothing():
    person = Person.objects.get(name="李明辉")
    before = stored(person)
    response = signed_in_client("yc_staff").post(
        f"/people/{person.pk}/edit/",
        {"name": "改名", "rank": "other", "version": person.version - 1 or 99},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert stored(person) == before
    with pytest.raises(ConflictError):
        services.person_update(acting_user=None, person=person, expected_version=99, name="x")


def test_it_lets_only_writers_open_the_forms():
    person = Person.objects.get(name="李明辉")
    for username in ("yc_viewer", "yc_supervisor"):
        client = signed_in_client(username)
        assert client.get("/people/new/").status_code == 404
        assert client.get(f"/people/{person.pk}/edit/").status_code == 404
    assert signed_in_client("yc_staff").get("/people/new/").status_code == 200


def test_it_hides_a_person_from_the_sibling_county():
    person = Person.objects.get(name="王建华")
    assert_visibility(
        f"/people/{person.pk}/",
        owner="yc_staff",
        outsider="xp_staff",
        others={"yc_viewer": 200, "yc_supervisor": 200, "zmd_city": 200, "yc_investor": 404},
    )
    for url in ("edit/", "merge/"):
        assert signed_in_client("xp_staff").get(f"/people/{person.pk}/{url}").status_code == 404


# --- where a person is named, deactivate, delete -----------------------------------------------


def chain(
    title: str, lead: Person, chief: Person | None = None, trackers: Any = ()
) -> ChainStandIn:
    row = ChainStandIn.objects.create(title=title, lead=lead, chief=chief)
    row.trackers.set(trackers)
    return row


def test_it_shows_where_a_person_is_named():
    person = Person.objects.get(name="王建华")
    other = Person.objects.get(name="李明辉")
    chain("甲项目", person)
    chain("乙项目", person, trackers=[other])
    chain("丙项目", other, chief=person, trackers=[person])
    response = signed_in_client("yc_viewer").get(f"/people/{person.pk}/")
    refs = {r["field"]: r["count"] for r in response.context["references"]}
    assert refs == {"lead cadre": 2, "responsible chief": 1, "trackers": 1}
    assert response.context["named"] == 4


def test_it_refuses_to_delete_a_named_person_and_deactivates_instead():
    person = Person.objects.get(name="王建华")
    chain("甲项目", person)
    client = signed_in_client("yc_staff")
    client.post(f"/people/{person.pk}/delete/")
    assert Person.objects.filter(pk=person.pk).exists()
    client.post(f"/people/{person.pk}/active/", {"active": "0", "version": person.version})
    person.refresh_from_db()
    assert not person.active
    assert ChainStandIn.objects.get(title="甲项目").lead == person


def test_it_deletes_an_unnamed_person():
    person = PersonFactory(area=yicheng())
    response = signed_in_client("yc_staff").post(f"/people/{person.pk}/delete/")
    assert response.status_code == 302 and not Person.objects.filter(pk=person.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="core.person", object_id=str(person.pk), action="delete"
    ).exists()


def test_it_refuses_to_delete_for_a_reader_or_an_outsider():
    person = PersonFactory(area=yicheng())
    assert signed_in_client("yc_viewer").post(f"/people/{person.pk}/delete/").status_code == 404
    assert signed_in_client("xp_staff").post(f"/people/{person.pk}/delete/").status_code == 404
    assert Person.objects.filter(pk=person.pk).exists()


# --- merge -----------------------------------------------------------------------------------


def test_it_merges_a_duplicate_and_moves_its_references():
    survivor = Person.objects.get(name="王建华")
    dup = PersonFactory(area=yicheng(), name="王建华", post="书记")
    other = Person.objects.get(name="李明辉")
    a = chain("甲项目", other, trackers=[dup, survivor])
    b = chain("乙项目", dup, chief=other)
    c = chain("丙项目", other, chief=dup)
    response = signed_in_client("yc_staff").post(
        f"/people/{survivor.pk}/merge/", {"duplicates": [dup.pk], "version": survivor.version}
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=dup.pk).exists()
    for row in (a, b, c):
        row.refresh_from_db()
    assert (list(a.trackers.all()), b.lead, c.chief) == ([survivor], survivor, survivor)
    assert (a.version, b.version, c.version) == (2, 2, 2)
    event = AuditEvent.objects.filter(object_type="core.person", object_id=str(survivor.pk)).first()
    assert event.after["merged"] == [dup.pk]
    assert event.after["moved"] == {
        "core.chainstandin.lead": 1,
        "core.chainstandin.chief": 1,
        "core.chainstandin.trackers": 1,
    }
    assert event.before["duplicates"][0]["post"] == "书记"


def test_it_moves_the_duplicates_account_to_a_survivor_without_one(user_named):
    account = user_named("yc_chief")
    dup = Person.objects.get(user=account)
    survivor = PersonFactory(area=yicheng(), name=dup.name)
    services.person_merge(
        acting_user=user_named("yc_staff"),
        survivor=survivor,
        duplicates=[dup],
        expected_version=survivor.version,
    )
    assert Person.objects.get(user=account) == survivor


def test_it_refuses_to_merge_two_accounts_and_changes_nothing(user_named):
    survivor = Person.objects.get(user__username="yc_chief")
    dup = Person.objects.get(user__username="yc_subchief")
    row = chain("甲项目", dup)
    before = (counts(), stored(survivor), stored(dup))
    response = signed_in_client("yc_staff").post(
        f"/people/{survivor.pk}/merge/", {"duplicates": [dup.pk], "version": survivor.version}
    )
    assert response.status_code == 200
    assert str(services.DIFFERENT_ACCOUNTS) in response.context["form"].errors["duplicates"]
    assert (counts(), stored(survivor), stored(dup)) == before
    assert ChainStandIn.objects.get(pk=row.pk).lead == dup


def test_it_refuses_a_merge_that_names_one_person_twice_on_a_chain():
    survivor = Person.objects.get(name="王建华")
    dup = PersonFactory(area=yicheng(), name="王建华")
    chain("甲项目", survivor, chief=dup)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.person_merge(
            acting_user=None, survivor=survivor, duplicates=[dup], expected_version=None
        )
    assert "甲项目" in " ".join(refused.value.message_dict["duplicates"])
    assert counts() == before


def test_it_refuses_a_stale_merge():
    survivor = Person.objects.get(name="王建华")
    dup = PersonFactory(area=yicheng(), name="王建华")
    response = signed_in_client("yc_staff").post(
        f"/people/{survivor.pk}/merge/", {"duplicates": [dup.pk], "version": survivor.version + 5}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Person.objects.filter(pk=dup.pk).exists()


def test_it_offers_only_persons_within_reach_to_merge():
    survivor = Person.objects.get(name="王建华")
    outsider = Person.objects.get(user__username="xp_staff")
    before = counts()
    response = signed_in_client("yc_staff").post(
        f"/people/{survivor.pk}/merge/", {"duplicates": [outsider.pk], "version": survivor.version}
    )
    assert response.status_code == 200 and "duplicates" in response.context["form"].errors
    assert counts() == before
    assert signed_in_client("yc_viewer").get(f"/people/{survivor.pk}/merge/").status_code == 404


def test_it_refuses_to_fold_a_city_person_into_a_district_one(user_named):
    city = Person.objects.get(user__username="zmd_city")
    survivor = Person.objects.get(name="王建华")
    with pytest.raises(ValidationError) as refused:
        services.person_merge(
            acting_user=user_named("zmd_city"),
            survivor=survivor,
            duplicates=[city],
            expected_version=None,
        )
    assert "duplicates" in refused.value.message_dict
    assert Person.objects.filter(pk=city.pk).exists()


# --- export ------------------------------------------------------------------------------------


def test_it_exports_the_filtered_list_and_records_it():
    response = signed_in_client("yc_staff").get(f"{LIST}export.xlsx", {"has_account": "no"})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    names = {r[0] for r in rows[1:]}
    assert {"王建华", "李明辉", "张红梅", "杨振东"} <= names and "陈志远" not in names
    assert "黄磊" not in names
    event = AuditEvent.objects.filter(action="export", object_type="core.person").first()
    assert event.after == {"filters": {"has_account": "no"}, "rows": len(rows) - 1}
    assert rows[0][:3] == [_("Full name"), _("Post"), _("Cadre rank")]


# --- admin ---------------------------------------------------------------------------------


def test_it_lists_only_the_admins_area_persons_in_the_admin():
    page = signed_in_client("yc_admin").get("/admin/core/person/").content.decode()
    assert "王建华" in page and "黄磊" not in page


def test_it_creates_a_person_in_the_admin_through_the_service():
    form = {"area": yicheng().pk, "name": "冯启明", "rank": "other", "active": "on", "_save": "1"}
    client = signed_in_client("yc_admin")
    before = counts()
    refused = client.post("/admin/core/person/add/", {**form, "phone": "phone"})
    assert refused.status_code == 200 and counts() == before
    assert client.post("/admin/core/person/add/", form).status_code == 302
    person = Person.objects.get(name="冯启明")
    assert AuditEvent.objects.filter(
        object_type="core.person", object_id=str(person.pk), action="create", username="yc_admin"
    ).exists()


def test_it_creates_the_person_of_a_user_made_in_the_admin(user_named):
    admin = user_named("yc_admin")
    response = signed_in_client("yc_admin").post(
        "/admin/core/user/add/",
        {
            "username": "li_si",
            "usable_password": "true",
            "password1": "Start#2026pw",
            "password2": "Start#2026pw",
            "full_name": "李四",
            "title": "分局长",
            "area": str(admin.area_id),
            "unit": "",
            "roles": ["sub_chief"],
            "_save": "1",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(user__username="li_si")
    assert (person.name, person.post, person.rank) == ("李四", "分局长", PersonRank.SUB_CHIEF)
