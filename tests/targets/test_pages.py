"""The targets pages: the indicator table, its Excel, the target form, the monthly grid."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests.helpers import assert_visibility, signed_in_client
from zhaoshang.core.models import AuditEvent
from zhaoshang.targets.models import Actual, Target

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
MONTH = timezone.localdate().month


def written() -> tuple[int, int, int]:
    return Target.objects.count(), Actual.objects.count(), AuditEvent.objects.count()


def make_target(area, code: str, value: str, year: int = YEAR) -> Target:  # type: ignore[no-untyped-def]
    return Target.objects.create(area=area, year=year, indicator_id=code, value=Decimal(value))


# --- the indicator table -----------------------------------------------------------------


def test_it_shows_the_indicator_table_with_rank_and_time_elapsed(yicheng, xiping):
    make_target(yicheng, "fdi", "100")
    make_target(xiping, "fdi", "100")
    Actual.objects.create(area=yicheng, year=YEAR, month=1, indicator_id="fdi", value=Decimal("1"))
    page = signed_in_client("yc_staff").get(f"/targets/?area=411702&year={YEAR}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "实际利用外资" in html
    assert "1.00%" in html  # completion
    assert "第1/共2" in html
    assert "进度滞后" in html  # 1% done is behind the time elapsed
    assert "时间进度" in html


def test_it_defaults_to_the_users_own_area_and_this_year():
    page = signed_in_client("xp_staff").get("/targets/")
    assert page.status_code == 200
    assert page.context["area"].code == "411721"
    assert page.context["year"] == YEAR


def test_it_shows_the_city_every_county_ranked(seed_demo, django_assert_max_num_queries):
    client = signed_in_client("zmd_city")
    client.get("/targets/?area=411700&year=2014")  # warm the session and caches
    # 33 before 到位资金: each of the two tables now also reads the paid-in sums, the
    # modes and how many areas sit below (the 合计 label), and the page the modes' editors
    with django_assert_max_num_queries(38):
        page = client.get("/targets/?area=411700&year=2014")
    assert page.status_code == 200
    assert len(page.context["children"]) == 10
    html = page.content.decode()
    assert "驿城区" in html and "新蔡县" in html
    assert "160.00%" in html and "第1/共10" in html


def test_it_hides_a_countys_table_from_a_sibling_county():
    assert_visibility(
        f"/targets/?area=411702&year={YEAR}",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200, "yc_viewer": 200, "yc_investor": 404},
    )
    assert signed_in_client("yc_staff").get("/targets/?area=411700").status_code == 404


def test_it_shows_an_error_for_a_bad_year_and_falls_back_to_this_year():
    page = signed_in_client("yc_staff").get("/targets/?area=411702&year=abc")
    assert page.status_code == 200
    assert page.context["year"] == YEAR
    assert page.context["form"].errors["year"]


def test_it_exports_the_table_to_excel_and_audits_it(yicheng):
    make_target(yicheng, "import_export", "9550")
    response = signed_in_client("zmd_city").get(f"/targets/export.xlsx?area=411700&year={YEAR}")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = [tuple(r) for r in book.get_sheet_by_index(0).to_python(skip_empty_area=False)]
    assert rows[0][:4] == ("区域", "区划代码", "年度", "指标")
    assert ("驿城区", "411702", YEAR, "进出口总额", "万美元", 9550) in [r[:6] for r in rows]
    assert len(rows) == 1 + 6 + 10 * 6  # the city's rows, then each county's
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.after == {"filters": {"area": "411700", "year": YEAR}, "rows": 66}


def test_it_hides_the_export_from_a_sibling_county():
    assert_visibility(
        f"/targets/export.xlsx?area=411702&year={YEAR}",
        owner="yc_staff",
        outsider="xp_staff",
    )


# --- the target form -----------------------------------------------------------------------


def test_it_lets_the_city_set_all_of_a_countys_targets_at_once(yicheng):
    make_target(yicheng, "fdi", "10")
    client = signed_in_client("zmd_city")
    url = f"/targets/set/?area=411702&year={YEAR}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"import_export": "18000", "fdi": "", "new_signed": "12"})
    assert response.status_code == 302
    stored = dict(
        Target.objects.filter(area=yicheng, year=YEAR).values_list("indicator_id", "value")
    )
    # a blank box clears the target (issue 10 §7.4; it used to be silently ignored)
    assert stored == {"import_export": 18000, "new_signed": 12}
    cleared = AuditEvent.objects.get(object_type="targets.target", action="delete")
    assert Decimal(cleared.before["value"]) == 10


def test_it_refuses_a_negative_target_on_the_form_and_writes_nothing():
    before = written()
    client = signed_in_client("zmd_city")
    page = client.post(
        f"/targets/set/?area=411702&year={YEAR}", {"import_export": "100", "fdi": "-1"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors["fdi"]
    assert written() == before


def test_it_offers_the_target_form_only_to_the_level_above():
    assert_visibility(
        f"/targets/set/?area=411702&year={YEAR}",
        owner="zmd_city",
        outsider="xp_staff",
        others={"yc_chief": 404, "yc_staff": 404},
    )
    assert signed_in_client("yc_chief").get("/targets/set/").status_code == 200  # its zone


# --- the monthly grid ----------------------------------------------------------------------


def test_it_saves_the_monthly_grid(yicheng):
    client = signed_in_client("yc_staff")
    url = f"/targets/actuals/?area=411702&year={YEAR}"
    page = client.get(url)
    assert page.status_code == 200
    assert "key_project_investment__1" not in page.context["form"].fields
    response = client.post(url, {"import_export__1": "100", f"fdi__{MONTH}": "5.5"})
    assert response.status_code == 302
    stored = dict(
        Actual.objects.filter(area=yicheng, year=YEAR).values_list("indicator_id", "value")
    )
    assert stored == {"import_export": 100, "fdi": Decimal("5.5")}
    client.post(url, {"import_export__1": "", f"fdi__{MONTH}": "5.5"})  # clearing a cell
    assert list(Actual.objects.values_list("indicator_id", flat=True)) == ["fdi"]


def test_it_saves_nothing_when_one_cell_is_refused(yicheng):
    before = written()
    url = f"/targets/actuals/?area=411702&year={YEAR + 1}"
    page = signed_in_client("yc_staff").post(url, {"import_export__1": "100"})
    assert page.status_code == 302  # next year's months are locked: the value is ignored
    assert written() == before
    page = signed_in_client("yc_staff").post(
        f"/targets/actuals/?area=411702&year={YEAR}",
        {"import_export__1": "100", "fdi__1": "-3"},
    )
    assert page.status_code == 200
    assert page.context["form"].errors["fdi__1"]
    assert written() == before


def test_it_hides_the_grid_from_readers_and_sibling_counties():
    assert_visibility(
        f"/targets/actuals/?area=411702&year={YEAR}",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200, "yc_viewer": 404},
    )
