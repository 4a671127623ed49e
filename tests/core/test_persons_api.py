"""The 人员库 API: /api/v1/people — scoped (404), roles (403), 422 by field, 409 on stale."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.core.person_refs import ChainStandIn
from tests.factories import PersonFactory, UnitFactory
from tests.helpers import assert_visibility, signed_in_client
from zhaoshang.core import services
from zhaoshang.core.models import Area, AuditEvent, Person, User

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people"


def call(username: str, method: str, url: str, body: Any = None) -> Any:
    client = signed_in_client(username)
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def counts() -> tuple[int, int]:
    return Person.objects.count(), AuditEvent.objects.count()


def assert_invalid(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error" and field in body["errors"], body


def test_it_lists_the_callers_persons_filtered_sorted_and_paged():
    body = call("yc_staff", "get", f"{PEOPLE}?has_account=false&sort=name&limit=2").json()
    assert body["limit"] == 2 and len(body["items"]) == 2 and body["count"] >= 4
    assert all(item["username"] is None for item in body["items"])
    names = [i["name"] for i in call("yc_staff", "get", f"{PEOPLE}?q=区委书记").json()["items"]]
    assert names == ["王建华"]
    ranks = call("yc_staff", "get", f"{PEOPLE}?rank=district_leader&limit=200").json()["items"]
    assert ranks and {i["rank"] for i in ranks} == {"district_leader"}
    assert "黄磊" not in {
        i["name"] for i in call("yc_staff", "get", f"{PEOPLE}?limit=200").json()["items"]
    }


def test_it_refuses_an_unknown_sort_or_rank():
    assert_invalid(call("yc_staff", "get", f"{PEOPLE}?sort=password"), "sort")
    assert_invalid(call("yc_staff", "get", f"{PEOPLE}?rank=king"), "rank")


def test_it_hides_the_directory_from_an_investor():
    assert call("yc_investor", "get", PEOPLE).status_code == 404


def test_it_hides_a_person_from_the_sibling_county():
    person = Person.objects.get(name="王建华")
    assert_visibility(
        f"{PEOPLE}/{person.pk}",
        owner="yc_staff",
        outsider="xp_staff",
        others={"yc_viewer": 200, "zmd_city": 200, "yc_investor": 404},
    )
    before = counts()
    assert call("xp_staff", "patch", f"{PEOPLE}/{person.pk}", {"version": 1}).status_code == 404
    merge = {"duplicates": [person.pk], "version": 1}
    assert call("xp_staff", "post", f"{PEOPLE}/{person.pk}/merge", merge).status_code == 404
    assert counts() == before


def test_it_creates_a_person():
    unit = UnitFactory(area=Area.objects.get(code="411702"))
    response = call(
        "yc_staff",
        "post",
        PEOPLE,
        {
            "name": "冯启明",
            "post": "区发改委主任",
            "rank": "division",
            "unit_id": unit.pk,
            "phone": "13800000000",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["area"], body["unit"], body["rank"], body["version"]) == (
        "411702",
        unit.name,
        "division",
        1,
    )
    assert Person.objects.filter(pk=body["id"], name="冯启明").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "冯启明", "phone": "call me"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "冯启明", "rank": "king"}, "rank"),
        ({"name": "冯启明", "colour": "red"}, "colour"),
        ({"name": "冯启明", "unit_id": 10**9}, "unit_id"),
    ],
)
def test_it_refuses_bad_input_by_field_and_writes_nothing(body, field):
    before = counts()
    assert_invalid(call("yc_staff", "post", PEOPLE, body), field)
    assert counts() == before


def test_it_refuses_a_unit_of_another_area_by_field(user_named):
    before = counts()
    unit = user_named("xp_staff").unit
    response = call(
        "zmd_city", "post", PEOPLE, {"name": "冯启明", "area": "411702", "unit_id": unit.pk}
    )
    assert_invalid(response, "unit_id")
    assert counts() == before


def test_it_refuses_a_reader_with_403():
    before = counts()
    assert call("yc_viewer", "post", PEOPLE, {"name": "冯启明"}).status_code == 403
    assert counts() == before


def test_it_updates_with_the_version_and_refuses_a_stale_one():
    person = Person.objects.get(name="李明辉")
    url = f"{PEOPLE}/{person.pk}"
    ok = call("yc_staff", "patch", url, {"post": "常务副区长", "version": person.version})
    assert ok.status_code == 200 and ok.json()["version"] == person.version + 1
    stale = call("yc_staff", "patch", url, {"post": "区长", "version": person.version})
    assert stale.status_code == 409 and stale.json()["current_version"] == person.version + 1
    assert Person.objects.get(pk=person.pk).post == "常务副区长"
    assert_invalid(call("yc_staff", "patch", url, {"post": "区长"}), "version")


def test_it_merges_through_the_api():
    survivor = Person.objects.get(name="王建华")
    dup = PersonFactory(area=survivor.area, name="王建华")
    row = ChainStandIn.objects.create(title="甲项目", lead=dup)
    response = call(
        "yc_staff",
        "post",
        f"{PEOPLE}/{survivor.pk}/merge",
        {"duplicates": [dup.pk], "version": survivor.version},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["moved"] == {"core.chainstandin.lead": 1}
    assert body["person"]["references"][0]["count"] == 1
    assert ChainStandIn.objects.get(pk=row.pk).lead_id == survivor.pk
    assert not Person.objects.filter(pk=dup.pk).exists()


def test_it_refuses_a_merge_of_two_accounts_or_an_unknown_id():
    survivor = Person.objects.get(user__username="yc_chief")
    dup = Person.objects.get(user__username="yc_subchief")
    url = f"{PEOPLE}/{survivor.pk}/merge"
    before = counts()
    refused = call("yc_staff", "post", url, {"duplicates": [dup.pk], "version": survivor.version})
    assert_invalid(refused, "duplicates")
    assert str(services.DIFFERENT_ACCOUNTS) in refused.json()["errors"]["duplicates"]
    outsider = Person.objects.get(user__username="xp_staff")
    unknown = call("yc_staff", "post", url, {"duplicates": [outsider.pk], "version": 1})
    assert_invalid(unknown, "duplicates")
    assert_invalid(call("yc_staff", "post", url, {"duplicates": [], "version": 1}), "duplicates")
    assert counts() == before


def test_it_refuses_a_write_with_a_read_token():
    user = User.objects.get(username="yc_staff")
    _token, plaintext = services.token_create(
        acting_user=None, user=user, name="r", scope="read", days=1
    )
    from django.test import Client

    client = Client()
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get(PEOPLE, headers=headers).status_code == 200
    before = counts()
    response = client.post(
        PEOPLE,
        data=json.dumps({"name": "冯启明"}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert Person.objects.count() == before[0]
