"""Browser check of the log-in flow (fixtures in conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, PLATFORM_NAME

pytestmark = pytest.mark.e2e

USERNAME = "yc_chief"
FULL_NAME = "刘国强"


def _open_login(page: Page) -> None:
    page.goto("/accounts/login/")
    expect(page.locator("body")).to_contain_text(PLATFORM_NAME)
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()


def test_it_logs_in_and_sees_the_chinese_home_page(page: Page, served_app: str) -> None:
    _open_login(page)
    page.locator("input[name='username']").fill(USERNAME)
    page.locator("input[name='password']").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{served_app}/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("驿城区")
    expect(page.locator("body")).to_contain_text(FULL_NAME)
    expect(page.get_by_role("link", name="首页", exact=True)).to_be_visible()

    shots = os.environ.get("ZHAOSHANG_SCREENSHOT_DIR", "").strip()
    if shots:
        target = Path(shots) / "e2e-home-yc_chief.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)


def test_it_refuses_a_wrong_password_in_chinese(page: Page, served_app: str) -> None:
    _open_login(page)
    page.locator("input[name='username']").fill(USERNAME)
    page.locator("input[name='password']").fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()

    expect(page.get_by_role("alert").first).to_contain_text("用户名或密码错误")
    assert page.url.startswith(f"{served_app}/accounts/login/"), page.url
    expect(page.locator("input[name='password']")).to_be_visible()
