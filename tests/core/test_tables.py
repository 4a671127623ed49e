"""The list pages' shared parts: page size, sortable headers, the vendored pickers and
the one date and number format (issue 11 §3)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from zhaoshang.core.forms import AuditFilterForm, IsoDateInput
from zhaoshang.core.web import PAGE_SIZES, list_context, page_size, sort_headers

STATIC = Path(__file__).resolve().parents[2] / "src" / "zhaoshang" / "static"
VENDOR = STATIC / "vendor" / "tom-select"


@pytest.mark.parametrize(
    ("raw", "size"),
    [("50", 50), ("100", 100), ("30", 30), ("7", 30), ("1000000", 30), ("x", 30), ("-50", 30)],
)
def test_it_takes_only_the_offered_page_sizes(raw: str, size: int) -> None:
    assert page_size(RequestFactory().get("/", {"per": raw})) == size


def test_it_marks_the_sorted_header_and_links_its_reverse() -> None:
    request = RequestFactory().get("/", {"q": "x", "sort": "-name", "page": "3"})
    headers = sort_headers(request, ("name", "stage"))
    assert headers["name"].direction == "desc" and headers["stage"].direction == ""
    assert headers["name"].url == "?q=x&sort=name"  # back to the first page, reversed
    assert headers["stage"].url == "?q=x&sort=stage"


def test_it_falls_back_to_a_real_page_for_bad_numbers() -> None:
    for raw in ("abc", "0", "-2", "99999"):
        context = list_context(RequestFactory().get("/", {"page": raw}), list(range(70)))
        assert context["page"].number in (1, 3)
    assert context["per"] == PAGE_SIZES[0]


def test_it_renders_a_sortable_header_with_its_arrow() -> None:
    request = RequestFactory().get("/", {"sort": "name"})
    html = Template('{% load lists %}{% sort_th headers "name" "Name" "num" %}').render(
        Context({"headers": sort_headers(request, ("name",))})
    )
    assert 'class="num"' in html and 'aria-sort="ascending"' in html and "▲" in html
    assert 'href="?sort=-name"' in html
    plain = Template('{% load lists %}{% sort_th headers "code" "Code" %}').render(
        Context({"headers": {}})
    )
    assert plain == "<th>Code</th>"


def test_it_vendors_tom_select_with_its_version_and_licence() -> None:
    assert (VENDOR / "tom-select.complete.min.js").stat().st_size > 10_000
    assert (VENDOR / "tom-select.min.css").stat().st_size > 1_000
    assert (VENDOR / "VERSION").read_text().startswith("2.")
    assert "Apache License" in (VENDOR / "LICENSE").read_text()
    assert "TomSelect" in (STATIC / "js" / "pickers.js").read_text()


def test_every_page_loads_the_pickers_from_our_own_static_files(client_for) -> None:
    html = client_for("yc_staff").get("/projects/").content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert "/static/vendor/tom-select/tom-select.complete.min.js" in scripts
    assert "/static/js/pickers.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)  # no CDN
    assert "/static/vendor/tom-select/tom-select.min.css" in html
    assert "<script>" not in html  # CSP: no inline script


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_shows_dates_as_iso_and_money_with_thousands_separators(language: str) -> None:
    with translation.override(language):
        html = Template('{{ d|date }} {{ d }} {{ m|floatformat:"2g" }}').render(
            Context({"d": dt.date(2026, 11, 29), "m": Decimal("1234567.5")})
        )
    assert html == "2026-11-29 2026-11-29 1,234,567.50"


def test_date_inputs_are_iso_text_whatever_the_browser_language(client_for) -> None:
    """``type="date"`` shows mm/dd/yyyy in an English-locale browser: none is left."""
    html = client_for("yc_staff").get("/projects/new/").content.decode()
    inputs = re.findall(r'<input[^>]*name="contract_date"[^>]*>', html)
    assert inputs and 'type="text"' in inputs[0] and 'placeholder="2026-11-29"' in inputs[0]
    assert r'pattern="\d{4}-\d{2}-\d{2}"' in inputs[0] and 'inputmode="numeric"' in inputs[0]
    assert 'type="date"' not in html


def test_the_date_widget_renders_a_value_as_y_m_d_in_both_languages() -> None:
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = IsoDateInput().render("on", dt.date(2026, 11, 29))
        assert 'value="2026-11-29"' in html and 'type="text"' in html


def test_a_bad_date_is_refused_in_chinese_and_a_slashed_one_is_read() -> None:
    form = AuditFilterForm({"date_from": "11/29/2026"}, object_types=[])
    assert not form.is_valid() and "日期" in form.errors["date_from"][0]
    assert AuditFilterForm({"date_from": "2026/11/29"}, object_types=[]).is_valid()


LISTS = (
    "/projects/",
    "/projects/data-quality/",
    "/projects/reports/chains/",
    "/enterprises/",
    "/construction/key-projects/",
    "/construction/paid-in-capital/",
    "/construction/milestones/",
    "/people/",
    "/imports/",
)


@pytest.mark.parametrize("url", LISTS)
def test_every_list_takes_bad_paging_and_sorting_without_error(client_for, url: str) -> None:
    client = client_for("yc_staff")
    for query in ({"per": "100"}, {"per": "abc", "page": "zz"}, {"sort": "password", "page": "-3"}):
        assert client.get(url, query).status_code == 200


@pytest.mark.parametrize(
    ("url", "key"), [("/enterprises/", "name"), ("/construction/milestones/", "due")]
)
def test_lists_mark_the_header_they_are_sorted_by(client_for, url: str, key: str) -> None:
    html = client_for("yc_staff").get(url, {"sort": f"-{key}"}).content.decode()
    assert 'aria-sort="descending"' in html and f"sort={key}" in html
