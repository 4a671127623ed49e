"""Browser check of the area dashboard: the seed's four 2014 percentages, charts drawn.

驿城区 2014 (DOMAIN.md §6): 进出口总额 160.00%, 实际利用外资 135.60%, 引进市外资金
241.71%, 重点项目完成投资 109.56% — reproduced from the demo data, never typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

SEED_PERCENTAGES = ("160.00%", "135.60%", "241.71%", "109.56%")
SCREENSHOT = Path("/tmp/dashboard.png")  # noqa: S108 - the brief's fixed path, looked at by hand


def test_it_shows_the_seed_percentages_on_the_yicheng_dashboard(page: Page) -> None:
    log_in(page, "yc_staff")
    page.goto("/reports/area/411702/?year=2014")
    expect(page.get_by_role("heading", level=1)).to_contain_text("驿城区")
    indicators = page.locator("#panel-indicators")
    for percentage in SEED_PERCENTAGES:
        expect(indicators).to_contain_text(percentage)
    # each chart is an ECharts canvas (the vendored library ran under the CSP)
    expect(page.locator("#panel-plan .dash-chart canvas")).to_have_count(1)
    expect(page.locator("#panel-stages .dash-chart canvas")).to_have_count(1)
    # the "表格" toggle swaps a chart for its table
    stages = page.locator("#panel-stages")
    expect(stages.locator(".dash-table")).to_be_hidden()
    stages.get_by_role("button", name="表格").click()
    expect(stages.locator(".dash-table")).to_be_visible()
    expect(stages.get_by_role("button", name="图表")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_it_sorts_the_city_ranking_in_the_browser(page: Page) -> None:
    log_in(page, "zmd_city")
    page.goto("/reports/city/411700/?year=2014")
    table = page.locator("#panel-ranking table")
    expect(table.locator("tbody tr")).to_have_count(10)
    table.locator("th", has_text="进出口总额完成率").click()
    expect(table.locator("tbody tr").first).to_contain_text("驿城区")
    page.screenshot(path=str(SCREENSHOT.with_name("dashboard-city.png")), full_page=True)
