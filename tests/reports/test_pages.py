"""Dashboard pages: the 404 matrix, rendering, Excel export (audited), bad input, query counts."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from tests.helpers import assert_visibility, signed_in_client
from tests.reports.conftest import TODAY, YEAR
from zhaoshang.core.models import AuditEvent

pytestmark = pytest.mark.django_db
AREA = f"/reports/area/411702/?year={YEAR}"
CITY = f"/reports/city/411700/?year={YEAR}"


def sheet_rows(data: bytes) -> list[list[object]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python()


def test_it_shows_a_district_dashboard_to_its_area_and_the_city_only(dataset):
    assert_visibility(
        AREA,
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200, "yc_viewer": 200, "yc_leader": 200, "yc_investor": 404},
    )


def test_it_shows_the_city_dashboard_to_the_city_only(dataset):
    assert_visibility(CITY, owner="zmd_city", outsider="yc_staff", others={"xp_staff": 404})


def test_it_refuses_a_city_view_of_an_area_without_children(dataset):
    assert signed_in_client("zmd_city").get("/reports/city/411702500/").status_code == 404
    assert signed_in_client("yc_staff").get("/reports/area/999999/").status_code == 404


def test_it_sends_each_user_to_their_own_dashboard(db):
    assert signed_in_client("yc_staff").get("/reports/")["Location"] == "/reports/area/411702/"
    assert signed_in_client("zmd_city").get("/reports/")["Location"] == "/reports/city/411700/"


def test_it_asks_anonymous_users_to_log_in(db):
    from django.test import Client

    response = Client().get(AREA)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_renders_every_panel_with_its_table_and_chart_data(dataset):
    page = signed_in_client("yc_staff").get(AREA)
    html = page.content.decode()
    assert page.status_code == 200
    for key in ("indicators", "plan", "stages", "clusters", "regions", "milestones", "stuck"):
        assert f'id="panel-{key}"' in html
        assert f"?year={YEAR}&amp;export={key}" in html
    assert "160.00%" in html  # 进出口总额 completion
    assert "109.56%" in html  # city and provincial key projects, cumulative December
    # every panel follows the year: TODAY's overdue node and stuck lead are not 2014's
    assert "完成环评" not in html and "卡住的线索" not in html
    assert 'id="chart-stages" type="application/json"' in html
    now = signed_in_client("yc_staff").get(f"/reports/area/411702/?year={TODAY.year}")
    assert "完成环评" in now.content.decode() and "卡住的线索" in now.content.decode()
    assert "<script>" not in html  # CSP: no inline script, data only in json_script
    assert "西平项目" not in html


def test_it_explains_a_bad_year_and_shows_the_latest_with_data(dataset):
    page = signed_in_client("yc_staff").get("/reports/area/411702/?year=abc")
    assert page.status_code == 200
    assert "年份" in page.content.decode()
    assert page.context["year"] == TODAY.year  # the latest with data: the dataset's
    assert page.context["error"]


def test_it_exports_a_panel_as_excel_and_audits_it(dataset):
    before = AuditEvent.objects.filter(action="export").count()
    response = signed_in_client("yc_staff").get(
        f"/reports/area/411702/?year={TODAY.year}&export=clusters"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response.content)
    assert rows[0] == ["产业集群", "项目数", "总投资（万元）"]
    assert rows[1] == ["测试新能源", 1, 3000]
    assert rows[2] == ["测试运输装备", 2, 1500.5]
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert AuditEvent.objects.filter(action="export").count() == before + 1
    assert event.username == "yc_staff"
    assert event.after == {
        "filters": {"area": "411702", "year": TODAY.year, "panel": "按产业集群的投资额"},
        "rows": 3,
    }


def test_it_exports_the_city_ranking(dataset):
    response = signed_in_client("zmd_city").get(f"{CITY}&export=ranking")
    assert len(sheet_rows(response.content)) == 11  # header + ten districts


def test_it_refuses_an_unknown_export_and_records_nothing(dataset):
    before = AuditEvent.objects.count()
    response = signed_in_client("yc_staff").get(f"{AREA}&export=everything")
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before


def test_it_exports_nothing_to_an_outsider(dataset):
    before = AuditEvent.objects.count()
    assert signed_in_client("xp_staff").get(f"{AREA}&export=stuck").status_code == 404
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("username", "url"),
    [("yc_staff", AREA), ("zmd_city", "/reports/area/411700/?year=2014"), ("zmd_city", CITY)],
)
def test_it_reads_each_dashboard_in_a_fixed_number_of_queries(
    dataset, username, url, django_assert_max_num_queries
):
    client = signed_in_client(username)
    client.get(url)  # warm the session and the role cache
    # session, user, roles, unit; the unread 提醒 count; the area; C's indicator table (11:
    # + 到位资金 sums, actual modes, areas below for the 合计 label, 新签约 and 新开工 one
    # each); the years with data (1); the panels (12)
    with django_assert_max_num_queries(29):
        assert client.get(url).status_code == 200
