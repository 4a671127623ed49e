"""The visibility matrix: city sees both districts, a district itself, a sibling gets 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.helpers import assert_visibility
from zhaoshang.core import selectors, services
from zhaoshang.core.models import Unit

pytestmark = pytest.mark.django_db


def codes(user) -> set[str]:  # type: ignore[no-untyped-def]
    return set(selectors.areas_visible_to(user).values_list("code", flat=True))


def test_it_lets_the_city_see_both_districts(user_named):
    seen = codes(user_named("zmd_city"))
    assert {"411700", "411702", "411721", "411702500"} <= seen and "410000" not in seen


def test_it_lets_a_district_see_itself_and_its_zone_only(user_named):
    assert codes(user_named("yc_staff")) == {"411702", "411702500"}
    assert codes(user_named("xp_staff")) == {"411721"}


def test_it_shows_an_investor_nothing_area_wide(user_named):
    investor = user_named("yc_investor")
    assert codes(investor) == set()
    assert not selectors.units_visible_to(investor).exists()


def test_it_scopes_units_and_users(user_named):
    city_units = selectors.units_visible_to(user_named("zmd_city"))
    yc_units = selectors.units_visible_to(user_named("yc_chief"))
    assert city_units.filter(name="西平县商务局").exists()
    assert not yc_units.filter(name="西平县商务局").exists()
    assert yc_units.filter(name="驻马店装备产业集聚区管理委员会").exists()
    assert (
        not selectors.users_visible_to(user_named("xp_staff")).filter(username="yc_staff").exists()
    )


def test_it_answers_404_for_an_area_page_outside_the_users_scope():
    assert_visibility(
        "/areas/411702/",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200, "yc_viewer": 200, "yc_investor": 404},
    )
    assert_visibility(
        "/areas/411721/", owner="xp_staff", outsider="yc_staff", others={"zmd_city": 200}
    )


def test_it_answers_404_for_an_api_route_outside_the_users_scope():
    assert_visibility(
        "/api/v1/areas/411702500",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200, "yc_supervisor": 200},
    )


def test_it_answers_404_for_an_unknown_area_the_same_way():
    assert_visibility("/areas/411702/", owner="yc_staff", outsider="xp_staff")
    from tests.helpers import status_for

    assert status_for("zmd_city", "/areas/999999/") == 404


def test_it_answers_the_api_in_json_without_a_session():
    response = Client().get("/api/v1/areas")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_it_lists_only_visible_areas_in_the_api(client_for):
    listed = {a["code"] for a in client_for("yc_staff").get("/api/v1/areas").json()}
    assert listed == {"411702", "411702500"}
    me = client_for("yc_staff").get("/api/v1/me").json()
    assert me["area_code"] == "411702" and me["roles"] == ["staff"]


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_it_serves_area_pages_in_a_fixed_number_of_queries(client_for, user_named):
    client = client_for("zmd_city")
    client.get("/")
    few = (_queries(client, "/"), _queries(client, "/areas/411702/"))
    area = user_named("yc_staff").area
    for i in range(30):
        services.unit_create(acting_user=None, name=f"测试单位{i}", kind="bureau", area=area)
    assert Unit.objects.filter(area=area).count() > 40
    assert (_queries(client, "/"), _queries(client, "/areas/411702/")) == few
    # 首页 "my work": area page, panels, approvals panel; + unread alerts;
    # the user read with area, unit and roles
    assert few == (13, 9)
