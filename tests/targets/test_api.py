"""The targets API: the seed's figures, the 404 matrix, bad input (422), writes and refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.helpers import NOT_FOUND_JSON, assert_visibility, signed_in_client
from tests.projects.conftest import call
from zhaoshang.core.models import AuditEvent
from zhaoshang.targets.models import Actual, Target

pytestmark = pytest.mark.django_db

TARGETS = "/api/v1/targets"


def get_rows(username: str, area: str, year: Any) -> Any:
    return call(signed_in_client(username), "get", f"{TARGETS}?area={area}&year={year}")


def by_code(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.content
    return {row["indicator"]: row for row in response.data}


def written() -> tuple[int, int, int]:
    return Target.objects.count(), Actual.objects.count(), AuditEvent.objects.count()


# --- the seed ----------------------------------------------------------------------------


def test_it_reproduces_the_seed_figures_of_yicheng_2014(seed_demo):
    rows = by_code(get_rows("yc_staff", "411702", 2014))
    shown = {k: v for k, v in rows["import_export"].items() if k in SEED_KEYS}
    assert shown | {"time_elapsed_pct": None} == {
        "indicator": "import_export",
        "name": "进出口总额",
        "unit": "万美元",
        "target": "9550",
        "actual": "15280",
        "completion_pct": "160.00",
        "rank": 1,
        "of": 10,
        "time_elapsed_pct": None,
    }
    assert rows["import_export"]["time_elapsed_pct"] == "100.00"
    fdi, capital, key = rows["fdi"], rows["out_of_city_capital"], rows["key_project_investment"]
    assert (fdi["actual"], fdi["target"], fdi["completion_pct"]) == ("4103", "3025.81", "135.60")
    assert (capital["actual"], capital["target"], capital["completion_pct"]) == (
        "111.43",
        "46.1",
        "241.71",
    )
    assert (capital["unit"], fdi["unit"]) == ("亿元", "万美元")
    assert (key["actual"], key["target"], key["completion_pct"]) == ("56.096", "51.2", "109.56")
    assert key["of"] == 10  # every county has a key-project list, so the rank is a real one
    assert fdi["of"] == capital["of"] == 10
    _assert_months_sum_exactly()


SEED_KEYS = ("indicator", "name", "unit", "target", "actual", "completion_pct", "rank", "of")
SEED_KEYS += ("time_elapsed_pct",)


def test_it_computes_the_seed_fdi_and_out_of_city_capital_from_paid_in_capital(seed_demo):
    """Issue 10 §7.5: Yicheng's 2014 figures via the API, computed from 到位资金 records."""
    from zhaoshang.construction.models import PaidInCapital

    rows = by_code(get_rows("yc_staff", "411702", 2014))
    fdi, capital = rows["fdi"], rows["out_of_city_capital"]
    assert (fdi["mode"], capital["mode"]) == ("computed", "computed")
    assert (fdi["actual"], fdi["computed"], fdi["entered"], fdi["difference"]) == (
        "4103",
        "4103",
        "4103",
        "0",
    )
    assert (fdi["completion_pct"], capital["completion_pct"]) == ("135.60", "241.71")
    assert (capital["actual"], capital["computed"], capital["difference"]) == ("111.43",) * 2 + (
        "0",
    )
    reports = PaidInCapital.objects.filter(area__code="411702", year=2014, is_current=True)
    assert reports.values("project").distinct().count() == 21
    assert reports.values("month").distinct().count() == 12
    assert sum(r.foreign_capital for r in reports) == Decimal("4103")
    assert sum(r.out_of_city_capital for r in reports) == Decimal("1114300")
    # the computed figure really counts: drop one report and the actual (not the entered) moves
    PaidInCapital.objects.filter(pk=reports.filter(foreign_capital__gt=0).first().pk).delete()
    after = by_code(get_rows("yc_staff", "411702", 2014))["fdi"]
    assert after["entered"] == "4103" and Decimal(after["actual"]) < Decimal("4103")
    assert after["actual"] == after["computed"] and after["difference"] != "0"


def _assert_months_sum_exactly() -> None:
    """The 2014 monthly rows add up to the seed's annual figures exactly (Decimal, in Python)."""
    totals: dict[str, Decimal] = {}
    rows = Actual.objects.filter(area__code="411702", year=2014)
    for code, value in rows.values_list("indicator_id", "value"):
        totals[code] = totals.get(code, Decimal(0)) + value
    assert rows.count() == 36
    assert totals == {
        "import_export": Decimal("15280"),
        "fdi": Decimal("4103"),
        "out_of_city_capital": Decimal("111.43"),
    }


# --- reads and the 404 matrix -----------------------------------------------------------


def test_it_hides_a_countys_targets_from_a_sibling_county():
    assert_visibility(
        f"{TARGETS}?area=411702&year=2026",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200, "yc_viewer": 200, "yc_investor": 404},
    )


def test_it_answers_404_json_for_an_unknown_area():
    response = get_rows("zmd_city", "999999", 2026)
    assert (response.status_code, response.data) == (404, NOT_FOUND_JSON)


@pytest.mark.parametrize("query", ["area=411702&year=1999", "area=411702&year=abc", "area=411702"])
def test_it_refuses_a_bad_year_with_422(query):
    response = call(signed_in_client("yc_staff"), "get", f"{TARGETS}?{query}")
    assert response.status_code == 422
    assert "year" in response.data["errors"]


def test_it_lists_the_indicators():
    response = call(signed_in_client("yc_viewer"), "get", "/api/v1/indicators")
    assert response.status_code == 200
    assert [i["code"] for i in response.data][:3] == ["import_export", "fdi", "out_of_city_capital"]
    assert response.data[3]["source"] == "key_investment"


def test_it_answers_in_a_fixed_number_of_queries(seed_demo, django_assert_max_num_queries):
    client = signed_in_client("zmd_city")
    # 18 before 到位资金: + the paid-in sums, the modes and the areas below (合计 label)
    with django_assert_max_num_queries(21):
        response = call(client, "get", f"{TARGETS}?area=411702&year=2014")
    assert response.status_code == 200


# --- writes ------------------------------------------------------------------------------


def put_target(username: str, area: str, code: str, body: Any, year: int = 2026) -> Any:
    return call(signed_in_client(username), "put", f"{TARGETS}/{area}/{year}/{code}", body)


def test_it_sets_a_target_from_the_level_above():
    response = put_target("zmd_city", "411702", "fdi", {"value": "4800.50"})
    assert response.status_code == 200, response.content
    assert response.data["value"] == "4800.5"
    assert response.data["set_by"] == "zmd_city"
    rows = by_code(get_rows("yc_staff", "411702", 2026))
    assert rows["fdi"]["target"] == "4800.5"


def test_it_refuses_a_county_setting_its_own_target_with_403():
    before = written()
    response = put_target("yc_chief", "411702", "fdi", {"value": "1"})
    assert response.status_code == 403
    assert "上一级" in response.data["message"]
    assert written() == before


def test_it_hides_target_writes_from_a_sibling_county():
    assert_visibility(
        f"{TARGETS}/411702/2026/fdi",
        method="put",
        json_body={"value": "1"},
        owner="zmd_city",
        outsider="xp_staff",
        others={"yc_chief": 403},
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [({"value": "-5"}, "value"), ({"value": "x"}, "value"), ({"value": "1", "extra": 1}, "extra")],
)
def test_it_refuses_a_bad_target_body_with_422(body, field):
    before = written()
    response = put_target("zmd_city", "411702", "fdi", body)
    assert response.status_code == 422, response.content
    assert field in response.data["errors"]
    assert written() == before


def test_it_answers_404_for_an_unknown_indicator():
    response = put_target("zmd_city", "411702", "nonsense", {"value": "1"})
    assert (response.status_code, response.data) == (404, NOT_FOUND_JSON)


def put_actual(username: str, path: str, body: Any) -> Any:
    return call(signed_in_client(username), "put", f"/api/v1/actuals/{path}", body)


def test_it_enters_and_clears_a_months_actual():
    response = put_actual("yc_staff", "411702/2026/1/import_export", {"value": "120.5"})
    assert response.status_code == 200, response.content
    assert (response.data["value"], response.data["entered_by"]) == ("120.5", "yc_staff")
    listed = call(signed_in_client("zmd_city"), "get", "/api/v1/actuals?area=411702&year=2026")
    assert [(r["month"], r["value"]) for r in listed.data] == [(1, "120.5")]
    cleared = put_actual("yc_staff", "411702/2026/1/import_export", {"value": None})
    assert cleared.status_code == 204
    assert not Actual.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field", "text"),
    [
        ("411702/2026/1/key_project_investment", {"value": "1"}, "indicator", "自动计算"),
        ("411702/2099/1/fdi", {"value": "1"}, "month", "尚未到来"),
        ("411702/2026/13/fdi", {"value": "1"}, "month", "1到12"),
        ("411702/2026/1/fdi", {"value": "-1"}, "value", ""),
    ],
)
def test_it_refuses_a_bad_actual_with_422(path, body, field, text):
    before = written()
    response = put_actual("yc_staff", path, body)
    assert response.status_code == 422, response.content
    assert text in " ".join(response.data["errors"][field])
    assert written() == before


def test_it_refuses_a_reader_and_hides_actuals_from_a_sibling():
    assert_visibility(
        "/api/v1/actuals/411702/2026/1/fdi",
        method="put",
        json_body={"value": "1"},
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200, "yc_viewer": 403},
    )
    assert_visibility(
        "/api/v1/actuals?area=411702&year=2026",
        owner="yc_viewer",
        outsider="xp_staff",
        others={"zmd_city": 200},
    )


def test_it_gives_a_computed_actual_at_the_indicators_decimals(seed_demo) -> None:
    """万元 summed and divided into 亿元 has six digits; the indicator shows three."""
    key = by_code(get_rows("yc_staff", "411702", 2026))["key_project_investment"]
    assert key["actual"] == "57.875"  # 578,747.03 万元, not 57.874703
