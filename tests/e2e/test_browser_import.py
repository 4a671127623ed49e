"""Browser check of the ledger import: upload through the page, watch the progress, see the result.

3,000 rows exceed the inline limit (2,000), so the job runs on the huey
consumer the fixture starts, and the page's progress bar polls it until done.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import xlsxwriter
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

ROWS = 3000


def _ledger(path: Path) -> Path:
    """A bureau-style ledger: a merged title row, a unit line, then headers and rows."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    sheet.merge_range(0, 0, 0, 5, "驿城区2026年招商引资项目台账")
    sheet.write(1, 0, "单位：万元")
    for col, header in enumerate(
        ["序号", "项目名称", "投资主体", "总投资（万元）", "项目进展", "备注"]
    ):
        sheet.write(2, col, header)
    for i in range(ROWS):
        sheet.write_row(
            3 + i,
            0,
            [
                i + 1,
                f"浏览器导入测试项目{i:04d}",
                "苏州某科技有限公司",
                f"{1000 + i:,}",
                "在谈",
                "",
            ],
        )
    book.close()
    return path


def test_it_imports_a_ledger_through_the_page(page: Page, served_app: str, tmp_path: Path) -> None:
    log_in(page, "yc_staff")
    page.goto("/imports/projects/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("导入")
    page.locator("select[name='area']").select_option("411702")
    page.locator("input[name='file']").set_input_files(str(_ledger(tmp_path / "台账.xlsx")))
    page.get_by_role("button", name="上传并导入").click()

    expect(page.locator("progress")).to_be_visible()
    expect(page.locator("body")).to_contain_text("导入完成", timeout=120_000)
    expect(page.locator(".stats")).to_contain_text(str(ROWS))
    assert page.locator("progress").get_attribute("value") == "100"

    page.goto("/projects/?q=浏览器导入测试项目0042")
    expect(page.locator("table")).to_contain_text("浏览器导入测试项目0042")
    expect(page.locator("table")).to_contain_text("洽谈")

    shots = os.environ.get("ZHAOSHANG_SCREENSHOT_DIR", "").strip()
    if shots:
        page.screenshot(
            path=str(Path(shots) / "e2e-project-list-after-import.png"), full_page=False
        )


def test_it_reports_a_bad_row_on_the_page_and_imports_nothing(
    page: Page, served_app: str, tmp_path: Path
) -> None:
    path = tmp_path / "坏台账.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["项目名称", "投资主体", "总投资（万元）", "项目进展"])
    sheet.write_row(1, 0, ["好项目甲", "某公司", "100", "洽谈"])
    sheet.write_row(2, 0, ["坏项目乙", "某公司", "一百万", "洽谈"])
    book.close()
    log_in(page, "yc_staff")
    page.goto("/imports/projects/")
    page.locator("select[name='area']").select_option("411702")
    page.locator("input[name='file']").set_input_files(str(path))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_role("alert").first).to_contain_text("未导入")
    expect(page.locator(".import-errors")).to_contain_text("第3行")
    page.goto("/projects/?q=好项目甲")
    expect(page.locator("table")).not_to_contain_text("好项目甲")
