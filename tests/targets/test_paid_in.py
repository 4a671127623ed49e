"""Issue 10 §7: paid-in indicators computed from 到位资金 or entered (both shown, with the
difference), the city's actual = its counties' + its own, and targets that can be cleared."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext

from tests.construction.test_capital import make_project
from tests.helpers import assert_visibility, signed_in_client
from tests.projects.conftest import call
from tests.targets.conftest import TODAY
from zhaoshang.construction.services import capital as capital_services
from zhaoshang.core.models import Area, AuditEvent
from zhaoshang.targets import selectors, services
from zhaoshang.targets.models import Actual, ActualModeChoice, Target

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2025


def actual(area: Area, code: str, month: int, value: str, year: int = YEAR) -> None:
    Actual.objects.create(area=area, year=year, month=month, indicator_id=code, value=D(value))


def target(area: Area, code: str, value: str, year: int = YEAR) -> None:
    Target.objects.create(area=area, year=year, indicator_id=code, value=D(value))


def row_of(user: Any, area: Area, code: str) -> selectors.IndicatorRow:
    rows = selectors.indicator_rows(user, area=area, year=YEAR, today=TODAY)
    return next(r for r in rows if r.indicator == code)


def paid_in(foreign: str, out_of_city: str, month: int = 3, name: str = "到位资金项目") -> None:
    capital_services.capital_report(
        acting_user=None,
        project=make_project(name=name),
        year=YEAR,
        month=month,
        foreign_capital=D(foreign),
        out_of_city_capital=D(out_of_city),
    )


@pytest.fixture
def figures(yicheng: Area) -> None:
    """Yicheng 2025: entered 100 万美元 / 2 亿元; its projects paid in 150 万美元 / 25000 万元."""
    target(yicheng, "fdi", "200")
    target(yicheng, "out_of_city_capital", "5")
    actual(yicheng, "fdi", 1, "100")
    actual(yicheng, "out_of_city_capital", 1, "2")
    paid_in("100", "20000", month=2)
    paid_in("50", "5000", month=7, name="第二个到位资金项目")


# --- computed vs entered -------------------------------------------------------------------


def test_it_shows_both_figures_and_uses_the_entered_one_by_default(figures, yicheng, user_named):
    fdi = row_of(user_named("yc_staff"), yicheng, "fdi")
    assert (fdi.mode, fdi.entered, fdi.computed, fdi.difference) == (
        "entered",
        D("100"),
        D("150"),
        D("50"),
    )
    assert (fdi.actual, fdi.completion_pct) == (D("100"), D("50.00"))
    capital = row_of(user_named("yc_staff"), yicheng, "out_of_city_capital")
    assert (capital.entered, capital.computed) == (D("2"), D("2.5"))  # 25000 万元 = 2.5 亿元
    assert capital.shown(capital.difference) == D("0.50")


def test_it_counts_the_computed_figure_once_chosen(figures, yicheng, user_named, city_chief):
    for code in ("fdi", "out_of_city_capital"):
        services.actual_mode_set(
            acting_user=city_chief, area=yicheng, year=YEAR, indicator=ind_of(code), mode="computed"
        )
    fdi = row_of(user_named("yc_staff"), yicheng, "fdi")
    assert (fdi.mode, fdi.actual, fdi.completion_pct, fdi.entered) == (
        "computed",
        D("150"),
        D("75.00"),
        D("100"),
    )
    capital = row_of(user_named("yc_staff"), yicheng, "out_of_city_capital")
    assert (capital.actual, capital.completion_pct) == (D("2.5"), D("50.00"))
    events = AuditEvent.objects.filter(object_type="targets.actualmodechoice")
    assert events.count() == 2 and events.first().after["mode"] == "computed"


def ind_of(code: str) -> Any:
    from zhaoshang.targets.models import Indicator

    return Indicator.objects.get(code=code)


def test_it_lets_only_the_target_setter_or_an_area_admin_choose(yicheng, user_named):
    fdi = ind_of("fdi")
    with pytest.raises(PermissionDenied):
        services.actual_mode_set(
            acting_user=user_named("yc_staff"),
            area=yicheng,
            year=YEAR,
            indicator=fdi,
            mode="computed",
        )
    with pytest.raises(Http404):
        services.actual_mode_set(
            acting_user=user_named("xp_staff"),
            area=yicheng,
            year=YEAR,
            indicator=fdi,
            mode="computed",
        )
    row = services.actual_mode_set(
        acting_user=user_named("yc_admin"), area=yicheng, year=YEAR, indicator=fdi, mode="computed"
    )
    assert row.mode == "computed"


def test_it_refuses_a_mode_for_an_indicator_that_has_none(yicheng, city_chief):
    with pytest.raises(ValidationError) as caught:
        services.actual_mode_set(
            acting_user=city_chief,
            area=yicheng,
            year=YEAR,
            indicator=ind_of("import_export"),
            mode="computed",
        )
    assert "indicator" in caught.value.message_dict
    assert not ActualModeChoice.objects.exists()


def test_it_switches_the_mode_through_the_api(figures, yicheng):
    url = f"/api/v1/targets/411702/{YEAR}/fdi/mode"
    response = call(signed_in_client("zmd_city"), "put", url, {"mode": "computed"})
    assert response.status_code == 200, response.content
    assert response.data["mode"] == "computed"
    rows = call(signed_in_client("yc_staff"), "get", f"/api/v1/targets?area=411702&year={YEAR}")
    fdi = next(r for r in rows.data if r["indicator"] == "fdi")
    assert (fdi["actual"], fdi["entered"], fdi["computed"], fdi["difference"]) == (
        "150",
        "100",
        "150",
        "50",
    )
    bad = call(signed_in_client("zmd_city"), "put", url, {"mode": "guess"})
    assert bad.status_code == 422 and "mode" in bad.data["errors"]
    staff = call(signed_in_client("yc_staff"), "put", url, {"mode": "entered"})
    assert staff.status_code == 403
    assert_visibility(
        url,
        method="put",
        json_body={"mode": "entered"},
        owner="zmd_city",
        outsider="xp_staff",
    )


def test_it_switches_the_mode_on_the_table_page(figures, yicheng):
    client = signed_in_client("zmd_city")
    page = client.get(f"/targets/?area=411702&year={YEAR}")
    assert page.status_code == 200 and page.context["may_mode"] is True
    form = {"area": "411702", "year": YEAR, "indicator": "out_of_city_capital", "mode": "computed"}
    assert client.post("/targets/mode/", form).status_code == 302
    assert ActualModeChoice.objects.get(area=yicheng, indicator="out_of_city_capital").mode == (
        "computed"
    )
    assert signed_in_client("xp_staff").post("/targets/mode/", form).status_code == 404
    assert signed_in_client("yc_staff").post("/targets/mode/", form).status_code == 404


# --- the city: its counties + its own --------------------------------------------------------


def test_it_sums_the_city_from_its_counties_and_its_own_figure(city, yicheng, xiping, user_named):
    actual(yicheng, "import_export", 1, "100")
    actual(xiping, "import_export", 2, "50")
    actual(city, "import_export", 3, "10")  # 市直
    target(yicheng, "import_export", "100")
    target(xiping, "import_export", "25")
    chief = user_named("zmd_city")
    row = row_of(chief, city, "import_export")
    assert (row.actual, row.below) == (D("160"), 10)
    label = selectors.actual_label(city, row)
    assert label == gettext("Total (incl. %(n)d counties/districts below + city-level own)") % {
        "n": 10
    }
    # ranks among the counties still compare the counties alone
    table = selectors.sibling_table(chief, parent=city, year=YEAR, today=TODAY)
    cells = {r.area.code: r.cells["import_export"] for r in table}
    assert (cells["411721"].rank, cells["411702"].rank) == (1, 2)
    assert (cells["411702"].actual, cells["411721"].actual) == (D("100"), D("50"))
    response = call(signed_in_client("zmd_city"), "get", f"/api/v1/targets?area=411700&year={YEAR}")
    first = next(r for r in response.data if r["indicator"] == "import_export")
    assert (first["actual"], first["areas_below"], first["actual_label"]) == ("160", 10, label)


def test_it_sums_the_city_by_each_areas_own_mode(figures, city, yicheng, city_chief):
    actual(city, "fdi", 1, "7")  # the city's own entered figure
    services.actual_mode_set(
        acting_user=city_chief, area=yicheng, year=YEAR, indicator=ind_of("fdi"), mode="computed"
    )
    row = row_of(city_chief, city, "fdi")
    assert (row.actual, row.entered, row.computed) == (D("157"), D("107"), D("150"))


# --- clearing a target -----------------------------------------------------------------------


def test_it_clears_a_target_with_null_through_the_api(yicheng):
    target(yicheng, "fdi", "300")
    url = f"/api/v1/targets/411702/{YEAR}/fdi"
    response = call(signed_in_client("zmd_city"), "put", url, {"value": None})
    assert response.status_code == 204
    assert not Target.objects.filter(area=yicheng, indicator="fdi").exists()
    event = AuditEvent.objects.get(object_type="targets.target", action="delete")
    assert D(event.before["value"]) == D("300")
    rows = call(signed_in_client("yc_staff"), "get", f"/api/v1/targets?area=411702&year={YEAR}")
    fdi = next(r for r in rows.data if r["indicator"] == "fdi")
    assert (fdi["target"], fdi["completion_pct"], fdi["rank"]) == (None, None, None)
    again = call(signed_in_client("zmd_city"), "put", url, {"value": None})
    assert again.status_code == 204  # nothing to clear: still fine, nothing written
    assert AuditEvent.objects.filter(object_type="targets.target").count() == 1
    refused = call(signed_in_client("yc_chief"), "put", url, {"value": None})
    assert refused.status_code == 403


def test_it_shows_a_cleared_target_as_not_set(yicheng):
    actual(yicheng, "fdi", 1, "100")
    page = signed_in_client("yc_staff").get(f"/targets/?area=411702&year={YEAR}")
    fdi = next(r for r in page.context["rows"] if r.indicator == "fdi")
    assert fdi.target is None and fdi.completion_pct is None
    html = page.content.decode()
    assert gettext("Not set") in html or "未设定" in html  # the msgid until the .po has it


def test_it_exports_both_figures_the_difference_and_the_label(figures, city):
    import io

    from python_calamine import CalamineWorkbook

    actual(city, "fdi", 2, "5")
    response = signed_in_client("zmd_city").get(f"/targets/export.xlsx?area=411700&year={YEAR}")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    table = rows.to_python()
    header = table[0]
    at = {name: header.index(gettext(name)) for name in ("Difference", "Made up of")}
    city_fdi = next(r for r in table[1:] if r[1] == "411700" and r[3] == "实际利用外资")
    yc_fdi = next(r for r in table[1:] if r[1] == "411702" and r[3] == "实际利用外资")
    assert float(city_fdi[6]) == 105  # Yicheng's entered 100 + the city's own 5
    label = gettext("Total (incl. %(n)d counties/districts below + city-level own)") % {"n": 10}
    assert city_fdi[at["Made up of"]] == label
    assert float(yc_fdi[at["Difference"]]) == 50  # computed 150 − entered 100
