"""Every list like a ledger (issue 11 §3): a header click sorts (whitelisted keys only, an
unknown one falls back to the default order), the totals row follows the filter, and
sorting never shows another area's rows."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db.models import Sum

from tests.construction.test_capital import make_project
from zhaoshang.construction.models import KeyProjectEntry, PaidInCapital
from zhaoshang.construction.services import capital as capital_services
from zhaoshang.construction.services import investment as investment_services
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.imports.models import ImportJob
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

YC = "411702"
YEAR = 2025
#: (name, list level, annual plan 万元, paid-in out-of-city capital in March 万元)
PROJECTS = (
    ("乙项目", "city", "300", "30"),
    ("甲项目", "province", "900", "10"),
    ("丙项目", "city", "500", "70"),
)


@pytest.fixture
def listed() -> list[Project]:
    """Three projects of 驿城区 in the year's key lists, with paid-in capital in March."""
    staff = User.objects.get(username="yc_staff")
    projects = []
    for name, level, plan, paid in PROJECTS:
        project = make_project(name=name)
        investment_services.key_entry_add(
            acting_user=staff,
            project=project,
            year=YEAR,
            level=level,
            planned_investment=Decimal(plan),
        )
        for month, amount in ((3, paid), (4, "1")):
            capital_services.capital_report(
                acting_user=staff,
                project=project,
                year=YEAR,
                month=month,
                foreign_capital=Decimal(1),
                out_of_city_capital=Decimal(amount),
            )
        projects.append(project)
    return projects


def _header(html: str, table: str, key: str) -> str:
    """The ``<th>`` of ``table`` whose link sorts by ``key`` (either way)."""
    head = re.search(rf'<table[^>]*id="{table}".*?</thead>', html, re.S)
    assert head, f"no #{table} table"
    found = re.search(rf'<th[^>]*>(?:(?!</th>).)*sort=-?{key}(?:&|")(?:(?!</th>).)*</th>', head[0])
    assert found, f"#{table} has no header sorting by {key}"
    return found[0]


def _sorted_both_ways(client, url: str, table: str, key: str, value, query=None):  # type: ignore[no-untyped-def]
    """The page's rows by ``?sort=key`` and ``?sort=-key``, each checked against its header."""
    pages = []
    for sort, aria in ((key, "ascending"), (f"-{key}", "descending")):
        response = client.get(url, {**(query or {}), "sort": sort})
        assert response.status_code == 200
        assert f'aria-sort="{aria}"' in _header(response.content.decode(), table, key)
        pages.append([value(row) for row in response.context["page"]])
    ascending, descending = pages
    assert len(set(ascending)) > 1, "too few distinct values to prove a sort"
    assert ascending == sorted(ascending) and descending == sorted(descending, reverse=True)
    return ascending, descending


def test_it_sorts_the_key_list_by_its_plan_column(client_for, listed) -> None:
    _sorted_both_ways(
        client_for("yc_staff"),
        "/construction/key-projects/",
        "keylist",
        "plan",
        lambda e: e.planned_investment,
        {"year": YEAR},
    )


def test_the_key_list_ignores_an_unknown_sort_key(client_for, listed) -> None:
    client = client_for("yc_staff")
    default = client.get("/construction/key-projects/", {"year": YEAR})
    unknown = client.get("/construction/key-projects/", {"year": YEAR, "sort": "id;drop"})
    assert unknown.status_code == 200
    assert [e.pk for e in unknown.context["page"]] == [e.pk for e in default.context["page"]]
    assert 'aria-sort="ascending"' not in unknown.content.decode()


def test_the_key_list_totals_follow_the_filter(client_for, listed) -> None:
    response = client_for("yc_staff").get(
        "/construction/key-projects/", {"year": YEAR, "level": "city"}
    )
    expected = KeyProjectEntry.objects.filter(
        year=YEAR, level="city", area__path__startswith=_path(YC)
    ).aggregate(total=Sum("planned_investment"))["total"]
    totals = response.context["totals"]
    assert expected and totals.planned == expected
    all_lists = client_for("yc_staff").get("/construction/key-projects/", {"year": YEAR})
    assert all_lists.context["totals"].planned > totals.planned  # the filter changed it
    foot = re.search(r"<tfoot>.*?</tfoot>", response.content.decode(), re.S)
    assert foot and f"{expected:,.2f}" in foot[0]
    assert "（万元）" in response.content.decode()  # the unit is in the header


def test_it_sorts_paid_in_capital_and_totals_the_filtered_month(client_for, listed) -> None:
    client = client_for("yc_staff")
    _sorted_both_ways(
        client,
        "/construction/paid-in-capital/",
        "capital",
        "out",
        lambda r: r.out_of_city_capital,
        {"year": YEAR},
    )
    response = client.get("/construction/paid-in-capital/", {"year": YEAR, "month": 3})
    expected = PaidInCapital.objects.filter(
        year=YEAR, month=3, is_current=True, area__path__startswith=_path(YC)
    ).aggregate(foreign=Sum("foreign_capital"), out=Sum("out_of_city_capital"))
    totals = response.context["totals"]
    assert (totals.foreign_capital, totals.out_of_city_capital) == (
        expected["foreign"],
        expected["out"],
    )
    assert expected["out"] and expected["out"] > Decimal(0)


def test_it_sorts_the_chain_report_by_name(client_for, listed) -> None:
    _sorted_both_ways(
        client_for("yc_staff"),
        "/projects/reports/chains/",
        "chains",
        "name",
        lambda row: row[0].name,
        {"year": YEAR},
    )


def test_the_data_quality_page_offers_its_sorting_headers(client_for) -> None:
    response = client_for("zmd_city").get("/projects/data-quality/", {"sort": "-name"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-sort="descending"' in _header(html, "incomplete", "name")
    for key in ("code", "area", "stage"):
        _header(html, "incomplete", key)


def test_it_sorts_import_jobs_by_file_name(client_for, user_named) -> None:
    staff = user_named("yc_staff")
    for name in ("b.xlsx", "c.xlsx", "a.xlsx"):
        ImportJob.objects.create(
            area=staff.area, kind="projects", uploaded_by=staff, file_name=name
        )
    ascending, _descending = _sorted_both_ways(
        client_for("yc_staff"), "/imports/", "jobs", "file", lambda job: job.file_name
    )
    assert ascending == ["a.xlsx", "b.xlsx", "c.xlsx"]


def test_it_sorts_the_audit_log_by_action(client_for) -> None:
    _sorted_both_ways(client_for("yc_supervisor"), "/audit/", "audit", "action", lambda e: e.action)


def test_sorting_never_shows_another_areas_rows(client_for, listed) -> None:
    response = client_for("xp_staff").get(
        "/construction/key-projects/", {"year": YEAR, "sort": "-plan"}
    )
    assert response.status_code == 200
    assert all(not e.area.path.startswith(_path(YC)) for e in response.context["page"])
    assert "甲项目" not in response.content.decode()
    audit = client_for("xp_staff").get("/audit/", {"sort": "type"})
    assert audit.status_code == 404  # staff do not read the audit log at all
    assert AuditEvent.objects.exists()


def test_the_sorted_key_list_keeps_its_query_count(
    client_for, listed, django_assert_max_num_queries
) -> None:
    client = client_for("yc_staff")
    client.get("/construction/key-projects/", {"year": YEAR})  # warm the session and caches
    with django_assert_max_num_queries(14):
        client.get("/construction/key-projects/", {"year": YEAR, "sort": "-ytd", "per": 100})


def _path(code: str) -> str:
    from zhaoshang.core.models import Area

    return Area.objects.get(code=code).path
