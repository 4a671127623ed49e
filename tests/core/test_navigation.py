"""The menu by role: every link a role sees opens for it; what it cannot open is not shown."""

from __future__ import annotations

import re

import pytest

from tests.helpers import signed_in_client
from zhaoshang.core.demo import USERS

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


def menu_of(username: str) -> dict[str, str]:
    page = signed_in_client(username).get("/", follow=True).content.decode()
    found = MENU.search(page)
    return {} if found is None else {label: url for url, label in LINK.findall(found.group(1))}


@pytest.mark.parametrize("username", [spec.username for spec in USERS])
def test_every_menu_link_opens_for_the_role_that_sees_it(username: str) -> None:
    client = signed_in_client(username)
    menu = menu_of(username)
    assert menu, f"{username} sees no menu"
    for label, url in menu.items():
        status = client.get(url, follow=True).status_code
        assert status == 200, f"{username}: {label} {url} answered {status}"


def test_a_role_without_the_capability_does_not_see_its_entry() -> None:
    assert "数据导入" in menu_of("yc_staff")
    for username in ("yc_viewer", "yc_supervisor", "yc_leader"):
        assert "数据导入" not in menu_of(username)
    assert "审计日志" in menu_of("yc_supervisor") and "审计日志" not in menu_of("yc_staff")
    assert "系统管理" in menu_of("yc_admin") and "系统管理" not in menu_of("yc_chief")


def test_the_investor_sees_only_home() -> None:
    assert list(menu_of("yc_investor")) == ["首页"]


def test_staff_have_the_ledger_not_the_investor_page() -> None:
    assert signed_in_client("yc_staff").get("/my/projects/").status_code == 404
