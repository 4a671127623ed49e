"""Browser check of the ledger as a table: a header click re-sorts, a second reverses;
the vendored Tom Select turns the long pickers into search boxes under the CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def _first_names(page: Page) -> list[str]:
    return page.locator("#ledger tbody tr td:nth-child(2) a").all_inner_texts()[:5]


def test_it_sorts_the_ledger_by_a_clicked_header(page: Page) -> None:
    log_in(page, "yc_staff")
    page.goto("/projects/")
    header = page.locator("#ledger thead th", has_text="项目名称")
    header.locator("a").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    ascending = _first_names(page)
    page.locator("#ledger thead th", has_text="项目名称").locator("a").click()
    expect(page.locator("#ledger thead th", has_text="项目名称")).to_have_attribute(
        "aria-sort", "descending"
    )
    descending = _first_names(page)
    assert ascending and descending and ascending != descending
    assert ascending == sorted(ascending) and descending == sorted(descending, reverse=True)


def test_it_makes_the_lead_cadre_picker_searchable(page: Page) -> None:
    log_in(page, "yc_staff")
    page.goto("/projects/new/")
    expect(page.locator(".ts-wrapper").first).to_be_visible()


def _plans(page: Page) -> list[float]:
    cells = page.locator("#keylist tbody tr td:nth-child(5)").all_inner_texts()
    return [float(text.replace(",", "")) for text in cells]


def test_it_sorts_the_key_list_by_a_clicked_header(page: Page) -> None:
    log_in(page, "yc_staff")
    page.goto("/construction/key-projects/")
    header = page.locator("#keylist thead th", has_text="年度计划投资")
    header.locator("a").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    ascending = _plans(page)
    page.locator("#keylist thead th", has_text="年度计划投资").locator("a").click()
    expect(page.locator("#keylist thead th", has_text="年度计划投资")).to_have_attribute(
        "aria-sort", "descending"
    )
    descending = _plans(page)
    assert len(set(ascending)) > 1 and ascending == sorted(ascending)
    assert descending == sorted(descending, reverse=True)
