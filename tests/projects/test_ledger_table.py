"""The project ledger as a table (issue 11 §3): header sorting, page size and jump,
the totals row over the whole filter, the export link keeping the filter."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhaoshang.projects import selectors
from zhaoshang.projects.forms import ProjectFilterForm
from zhaoshang.projects.models import Project

LIST = "/projects/"
ROW_NAME = re.compile(r'<a href="/projects/\d+/">(表格项目\d+)</a>')


@pytest.fixture
def many(make_project: Callable[..., Project]) -> list[Project]:
    """35 projects whose name order is the reverse of their investment order."""
    return [
        make_project(f"表格项目{i:02d}", total_investment=Decimal(1000 * (40 - i)) + Decimal("0.5"))
        for i in range(35)
    ]


def names(response: Any) -> list[str]:
    assert response.status_code == 200
    return ROW_NAME.findall(response.content.decode())


def test_it_sorts_by_a_header_and_reverses_on_the_second_click(client_for, many) -> None:
    client: Client = client_for("yc_staff")
    ascending = names(client.get(LIST, {"q": "表格项目", "sort": "name"}))
    descending = names(client.get(LIST, {"q": "表格项目", "sort": "-name"}))
    assert ascending[:3] == ["表格项目00", "表格项目01", "表格项目02"]
    assert descending[:3] == ["表格项目34", "表格项目33", "表格项目32"]
    by_money = names(client.get(LIST, {"q": "表格项目", "sort": "investment"}))
    assert by_money[0] == "表格项目34"


def test_it_links_each_header_to_its_reverse_and_marks_the_direction(client_for, many) -> None:
    html = client_for("yc_staff").get(LIST, {"q": "表格项目", "sort": "name"}).content.decode()
    assert 'aria-sort="ascending"' in html and "▲" in html
    assert "sort=-name" in html  # the second click reverses
    html = client_for("yc_staff").get(LIST, {"q": "表格项目", "sort": "-name"}).content.decode()
    assert 'aria-sort="descending"' in html and "▼" in html
    assert re.search(r'href="\?q=[^"]*sort=name"', html)


def test_it_ignores_an_unknown_sort_safely(client_for, many) -> None:
    client = client_for("yc_staff")
    for bad in ("password", "-id;drop", "__class__", ""):
        response = client.get(LIST, {"q": "表格项目", "sort": bad})
        assert response.status_code == 200
        assert len(names(response)) == 30
        assert 'aria-sort="ascending"' not in response.content.decode()


def test_it_pages_at_the_chosen_size_and_jumps(client_for, many) -> None:
    client = client_for("yc_staff")
    assert len(names(client.get(LIST, {"q": "表格项目"}))) == 30
    assert len(names(client.get(LIST, {"q": "表格项目", "per": "50"}))) == 35
    second = names(client.get(LIST, {"q": "表格项目", "sort": "name", "page": "2"}))
    assert second == [f"表格项目{i}" for i in range(30, 35)]
    html = client.get(LIST, {"q": "表格项目", "per": "50"}).content.decode()
    assert '<option value="50" selected>' in html and 'name="page"' in html


@pytest.mark.parametrize(
    "query",
    [
        {"per": "7"},
        {"per": "abc"},
        {"per": "100000"},
        {"page": "x"},
        {"page": "999"},
        {"page": "-1"},
    ],
)
def test_it_falls_back_on_bad_page_values(client_for, many, query) -> None:
    response = client_for("yc_staff").get(LIST, {"q": "表格项目", **query})
    assert response.status_code == 200
    assert len(names(response)) in (30, 5)  # the default size: the first or the last page


def test_it_keeps_sort_and_size_in_the_pager_and_the_filter_form(client_for, many) -> None:
    html = client_for("yc_staff").get(LIST, {"q": "表格项目", "sort": "-name"}).content.decode()
    assert "?q=%E8%A1%A8%E6%A0%BC%E9%A1%B9%E7%9B%AE&amp;sort=-name&amp;page=2" in html
    assert '<input type="hidden" name="sort" value="-name"' in html


def test_its_totals_row_sums_the_whole_filter_not_the_page(client_for, staff, many) -> None:
    response = client_for("yc_staff").get(LIST, {"q": "表格项目"})
    form = ProjectFilterForm({"q": "表格项目"}, user=staff)
    expected = selectors.project_list(staff, form.filters()).aggregate(s=Sum("total_investment"))[
        "s"
    ]
    assert (
        expected
        == Project.objects.filter(name__startswith="表格项目").aggregate(s=Sum("total_investment"))[
            "s"
        ]
    )
    total = re.search(r'data-total="total_investment">([^<]+)<', response.content.decode())
    assert total and Decimal(total.group(1).replace(",", "")) == expected
    assert "," in total.group(1)  # thousands separators in money cells


def test_it_shows_thousands_separators_in_money_cells(client_for, many) -> None:
    html = client_for("yc_staff").get(LIST, {"q": "表格项目00"}).content.decode()
    assert "40,000.50" in html


def test_its_export_link_carries_the_filter(client_for, many) -> None:
    html = client_for("yc_staff").get(LIST, {"q": "表格项目", "stage": "signed", "sort": "name"})
    link = re.search(r'href="(/projects/export\.xlsx\?[^"]*)"', html.content.decode())
    assert link and "stage=signed" in link.group(1) and "q=" in link.group(1)


def test_an_outsider_sees_neither_rows_nor_their_totals(client_for, many) -> None:
    html = client_for("xp_staff").get(LIST, {"q": "表格项目"}).content.decode()
    assert not ROW_NAME.findall(html) and 'data-total="total_investment"' not in html


def _count(client: Client, query: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST, query).status_code == 200
    return len(ctx)


def test_it_pins_the_ledger_query_count_with_totals(client_for, many, make_project) -> None:
    client = client_for("yc_staff")
    query = {"q": "表格项目", "sort": "-investment", "per": "100"}
    _count(client, query)
    before = _count(client, query)
    for i in range(35, 60):
        make_project(f"表格项目{i:02d}")
    assert _count(client, query) == before  # no query per row, the totals one aggregate


def test_it_counts_the_exact_queries_of_a_ledger_page(
    client_for, many, django_assert_num_queries
) -> None:
    client = client_for("yc_staff")
    client.get(LIST, {"q": "表格项目"})  # warm the session and caches
    with django_assert_num_queries(_count(client, {"q": "表格项目"})):
        client.get(LIST, {"q": "表格项目"})
