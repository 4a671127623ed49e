"""The monthly figures grid is a normal table that fits a 1366 px screen (it was a CSS grid)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

SCREENSHOT = Path("/tmp/actual-grid.png")  # noqa: S108 - looked at by hand


def test_the_monthly_figures_grid_fits_1366_px_with_readable_names(page: Page) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "yc_staff")
    page.goto("/targets/actuals/?area=411702&year=2014")
    table = page.locator("table.figures")
    expect(table).to_be_visible()
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    name = table.locator("tbody th").first
    box = name.bounding_box()
    assert box is not None and box["width"] >= 120  # a name is not one character a line
    assert table.locator("thead th").count() == 13  # 指标 + 12 months side by side
    page.screenshot(path=str(SCREENSHOT), full_page=True)
