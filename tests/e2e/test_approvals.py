"""Browser checks of issue 12: the approval tracker of a demo project, and the inbox after
the daily sweep has run against the served app's database."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import log_in, run_command

pytestmark = pytest.mark.e2e

#: the demo's project without land: its items run simulated, most not started
PROJECT = "德威电缆特种电缆产业园项目"
ITEM = "建设工程规划许可证"
DUE = re.compile(r"办结时限 \d{4}-\d{2}-\d{2}")


def _open_tracker(page: Page) -> None:
    page.goto(f"/approvals/?q={PROJECT}")
    page.get_by_role("link", name=PROJECT).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"审批进度 · {PROJECT}")


def _item(page: Page, name: str) -> Locator:
    return page.locator(".tracker-item").filter(
        has=page.get_by_role("heading", level=3, name=re.compile(name))
    )


def _move(item: Locator, status: str) -> None:
    item.locator("summary", has_text="变更状态").click()
    item.locator("select[name='to_status']").select_option(status)
    item.locator("form[action$='/move/']").get_by_role("button", name="保存").click()


def test_the_tracker_shows_bars_and_an_item_moves_and_pauses_through_its_forms(
    page: Page,
) -> None:
    log_in(page, "yc_staff")
    _open_tracker(page)
    expect(page.locator(".gantt").first).to_be_visible()  # the accepted items' bars
    item = _item(page, ITEM)
    expect(item).to_contain_text("未启动")
    expect(item).not_to_contain_text(DUE)
    expect(item.locator(".gantt")).to_have_count(0)

    _move(item, "submitted")
    item = _item(page, ITEM)
    expect(item).to_contain_text("已申报")
    _move(item, "accepted")
    item = _item(page, ITEM)
    expect(item.locator("p").first).to_contain_text("已受理")
    expect(item).to_contain_text(DUE)  # the due date counted from 受理
    expect(item.locator(".gantt")).to_have_count(1)

    item.locator("summary", has_text="暂停计时").click()
    pause = item.locator("form[action$='/pause/']")
    pause.locator("select[name='kind']").select_option("expert_review")
    pause.locator("input[name='reason']").fill("组织专家评审")
    pause.get_by_role("button", name="暂停").click()
    item = _item(page, ITEM)
    expect(item).to_contain_text("计时暂停")
    expect(item).to_contain_text("仍在暂停")
    expect(item).to_contain_text("组织专家评审")
    expect(item.locator("summary", has_text="恢复计时")).to_be_visible()


def _unread(page: Page) -> int:
    badge = page.locator(".inbox-link .badge")
    return int(badge.inner_text()) if badge.count() else 0


def test_the_sweep_fills_the_inbox_and_opening_an_alert_marks_it_read(
    page: Page, served_env: dict[str, str]
) -> None:
    log_in(page, "yc_staff")  # 周晓燕: the demo's 代办员 and milestone owner
    unswept = _unread(page)
    run_command(served_env, "sweep")
    page.reload()
    before = _unread(page)
    assert before > unswept  # the sweep told her of her overdue items and milestones
    expect(page.locator(".inbox-link")).to_contain_text("提醒")

    page.locator(".inbox-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提醒")
    overdue = page.locator("table.inbox tbody tr").filter(has_text="逾期").first
    expect(overdue.locator(".badge", has_text="未读")).to_be_visible()
    title = overdue.locator("td a").first.inner_text()

    overdue.locator("td a").first.click()  # opening it lands on its object, read
    page.wait_for_load_state()
    assert _unread(page) == before - 1
    page.goto("/inbox/")
    row = page.locator("table.inbox tbody tr").filter(has_text=title).first
    expect(row).to_have_class(re.compile("muted"))
    expect(row).to_contain_text("已读")
