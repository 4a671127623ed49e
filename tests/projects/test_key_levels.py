"""A project's key-project level is a fact of a year, derived from that year's key lists."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests.helpers import assert_visibility
from tests.projects.conftest import call
from zhaoshang.construction.models import KeyPlanRollup, KeyProjectEntry
from zhaoshang.construction.services.investment import key_entry_add
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.projects import keylevels, selectors, services
from zhaoshang.projects.exports import export_incomplete_chains
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
PROJECTS = "/api/v1/projects"


def listed(project: Project, year: int, level: str, plan: str = "0") -> None:
    key_entry_add(
        acting_user=None, project=project, year=year, level=level, planned_investment=Decimal(plan)
    )


@pytest.fixture
def both_years(staff: User) -> Project:
    """In 2014's city list and this year's district list (the case of issue 10 §4)."""
    project = services.project_create(
        acting_user=staff, area=staff.area, name="跨年度重点项目", code="KL-001"
    )
    listed(project, 2014, "city", "5000")
    listed(project, THIS_YEAR, "district", "3000")
    return project


# --- derived per year ------------------------------------------------------------------


def test_it_derives_the_level_of_each_year_from_that_years_lists(both_years):
    assert keylevels.key_level_of(both_years, 2014) == "city"
    assert keylevels.key_level_of(both_years, THIS_YEAR) == "district"
    assert keylevels.key_level_of(both_years, 2015) == ""


def test_it_takes_the_highest_list_of_a_year(both_years):
    listed(both_years, 2014, "province")
    assert keylevels.key_level_of(both_years, 2014) == "province"
    assert keylevels.key_level_history(both_years) == [
        (THIS_YEAR, "district"),
        (2014, "province"),
    ]


def test_the_project_has_no_typed_level_any_more():
    assert "key_level" not in {f.name for f in Project._meta.get_fields()}


# --- ledger, filters, export -----------------------------------------------------------


def test_it_filters_the_ledger_by_the_level_of_the_chosen_year(both_years, staff):
    def names(filters: dict[str, Any]) -> set[str]:
        return {p.name for p in selectors.project_list(staff, filters)}

    assert "跨年度重点项目" in names({"year": 2014, "key_level": "city"})
    assert "跨年度重点项目" not in names({"year": THIS_YEAR, "key_level": "city"})
    assert "跨年度重点项目" in names({"key_level": "district"})  # this year by default
    assert "跨年度重点项目" not in names({"year": 2015, "key_level": "district"})


def test_the_ledger_page_shows_and_filters_the_level_of_the_year(both_years, client_for):
    client = client_for("yc_staff")
    old = client.get("/projects/?year=2014&key_level=city&q=KL-001").content.decode()
    assert "跨年度重点项目" in old and "市重点项目" in old  # ListLevel's label of "city"
    now = client.get("/projects/?key_level=city&q=KL-001").content.decode()
    assert "跨年度重点项目" not in now
    bad = client.get("/projects/?year=abc&q=KL-001")
    assert bad.status_code == 200 and "跨年度重点项目" in bad.content.decode()


def _page_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_it_pins_the_query_count_of_the_ledger_filtered_by_level(client_for, staff):
    client = client_for("yc_staff")
    url = "/projects/?year=2014&key_level=city&q=KLQ"
    first = services.project_create(acting_user=staff, area=staff.area, name="KLQ0")
    listed(first, 2014, "city")
    _page_queries(client, url)
    few = _page_queries(client, url)
    for i in range(1, 12):
        project = services.project_create(acting_user=staff, area=staff.area, name=f"KLQ{i}")
        listed(project, 2014, "city" if i % 2 else "province")
        listed(project, THIS_YEAR, "district")
    assert _page_queries(client, url) == few
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.project_list(staff, {"year": 2014, "key_level": "city", "q": "KLQ"}))
    assert len(ctx) == 1 and len(rows) == 7


def test_the_ledger_export_writes_the_level_of_the_chosen_year(both_years, client_for):
    client = client_for("yc_staff")

    def level_cell(query: str) -> str:
        response = client.get(f"/projects/export.xlsx?{query}")
        assert response.status_code == 200
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        rows = book.get_sheet_by_index(0).to_python()
        column = rows[0].index("重点项目级别")
        (row,) = [r for r in rows[1:] if r[0] == "KL-001"]
        return str(row[column])

    assert level_cell("year=2014&q=KL-001") == "市重点"
    assert level_cell("q=KL-001") == "区重点"
    assert level_cell("year=2016&q=KL-001") == ""
    audit = AuditEvent.objects.filter(action="export").latest("pk")
    assert audit.after["filters"]["year"] == 2016


# --- the project page ------------------------------------------------------------------


def test_the_project_page_shows_the_level_per_year_with_links_to_the_lists(both_years, client_for):
    client = client_for("yc_staff")
    page = client.get(f"/projects/{both_years.pk}/").content.decode()
    assert f"{THIS_YEAR} 区重点项目" in page and "2014 市重点项目" in page
    assert "/construction/key-projects/?year=2014&amp;level=city&amp;q=KL-001" in page
    old = client.get(f"/projects/{both_years.pk}/?year=2014").content.decode()
    assert '<dd class="key-level">市重点项目</dd>' in old


def test_an_outsider_gets_404_on_the_project_page_of_any_year(both_years):
    assert_visibility(
        f"/projects/{both_years.pk}/?year=2014", owner="yc_staff", outsider="xp_staff"
    )


# --- the incomplete-chain report -------------------------------------------------------


def test_the_chain_report_is_of_the_key_projects_of_a_year(both_years, staff, client_for):
    unlisted = services.project_create(acting_user=staff, area=staff.area, name="非重点缺链")
    assert unlisted not in dict(selectors.incomplete_chains(staff, 2014))
    assert both_years in dict(selectors.incomplete_chains(staff, 2014))
    assert both_years not in dict(selectors.incomplete_chains(staff, 2015))
    page = client_for("yc_staff").get("/projects/reports/chains/?year=2015").content.decode()
    assert "跨年度重点项目" not in page
    page = client_for("yc_staff").get("/projects/reports/chains/?year=2014").content.decode()
    assert "跨年度重点项目" in page
    assert "/projects/reports/chains/export.xlsx?year=2014" in page


def test_the_chain_report_exports_the_year_it_shows(both_years, client_for, staff):
    response = client_for("yc_staff").get("/projects/reports/chains/export.xlsx?year=2014")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    data = rows.to_python()
    (row,) = [r for r in data[1:] if r[1] == "跨年度重点项目"]
    assert row[3] == "市重点项目"
    audit = AuditEvent.objects.filter(action="export").latest("pk")
    assert audit.after["filters"] == {"year": 2014} and audit.after["rows"] == len(data) - 1
    outsider = io.BytesIO()
    export_incomplete_chains(user=User.objects.get(username="xp_staff"), year=2014, target=outsider)
    book = CalamineWorkbook.from_filelike(io.BytesIO(outsider.getvalue())).get_sheet_by_index(0)
    assert "跨年度重点项目" not in str(book.to_python())


# --- the API ---------------------------------------------------------------------------


def test_the_api_gives_the_level_of_the_requested_year(both_years, client_for):
    client = client_for("yc_staff")
    item = call(client, "get", f"{PROJECTS}?q=KL-001&year=2014").data["items"][0]
    assert (item["key_level"], item["key_level_year"]) == ("city", 2014)
    item = call(client, "get", f"{PROJECTS}?q=KL-001").data["items"][0]
    assert (item["key_level"], item["key_level_year"]) == ("district", THIS_YEAR)
    assert call(client, "get", f"{PROJECTS}?key_level=city&year=2014&q=KL-001").data["count"] == 1
    detail = call(client, "get", f"{PROJECTS}/{both_years.pk}?year=2014").data
    assert detail["key_level"] == "city"


@pytest.mark.parametrize("method", ["post", "put"])
def test_the_api_refuses_a_key_level_and_writes_nothing(both_years, client_for, method):
    body: dict[str, Any] = {"key_level": "province"}
    url = PROJECTS
    if method == "post":
        body["name"] = "带级别的新项目"
    else:
        body["version"] = both_years.version
        url = f"{PROJECTS}/{both_years.pk}"
    before = (Project.objects.count(), KeyProjectEntry.objects.count(), both_years.version)
    response = call(client_for("yc_staff"), method, url, body)
    assert response.status_code == 422
    assert "key_level" in str(response.data) and "/api/v1/key-projects" in str(response.data)
    both_years.refresh_from_db()
    after = (Project.objects.count(), KeyProjectEntry.objects.count(), both_years.version)
    assert after == before


# --- the migration of the typed levels -------------------------------------------------


def test_the_migration_moves_typed_levels_into_the_lists_of_their_year(staff):
    """Run ``0006``'s forwards on the live models, with the column put back for the test."""
    import importlib

    from django.apps import apps as live_apps

    migration = importlib.import_module("zhaoshang.projects.migrations.0006_key_level_by_year")
    fresh = services.project_create(acting_user=staff, area=staff.area, name="迁移市重点")
    Project.objects.filter(pk=fresh.pk).update(created_at=dt.datetime(2019, 6, 1, tzinfo=dt.UTC))
    already = services.project_create(acting_user=staff, area=staff.area, name="已在清单")
    listed(already, 2014, "district", "100")
    typed = {fresh.pk: "city", already.pk: "province"}

    class Typed:
        """A stand-in for the historical Project manager: rows with a typed key_level."""

        objects = _TypedManager(typed)

    class Apps:
        def get_model(self, app: str, name: str) -> Any:
            return Typed if name == "Project" else live_apps.get_model(app, name)

    migration.forwards(Apps(), None)
    entry = KeyProjectEntry.objects.get(project=fresh)
    assert (entry.year, entry.level, entry.planned_investment) == (2019, "city", 0)
    assert KeyProjectEntry.objects.filter(project=already).count() == 1  # its lists were the fact
    rollup = KeyPlanRollup.objects.get(area=staff.area, year=2019, top_level="city")
    assert (
        rollup.projects
        == KeyProjectEntry.objects.filter(area=staff.area, year=2019, level="city").count()
    )
    assert keylevels.key_level_of(fresh, 2019) == "city"


class _TypedManager:
    def __init__(self, typed: dict[int, str]) -> None:
        self.typed = typed

    def exclude(self, **kwargs: Any) -> _TypedManager:
        return self

    def only(self, *fields: str) -> list[Any]:
        rows = Project.objects.filter(pk__in=list(self.typed)).only(*fields[:2], "created_at")
        for row in rows:
            row.key_level = self.typed[row.pk]  # type: ignore[attr-defined]
        return list(rows)
