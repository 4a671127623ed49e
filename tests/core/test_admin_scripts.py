"""The admin's two-box picker in Chinese: Django 5.2's zh_Hans script catalogue lacks
its newer strings ("Choose 角色 by selecting them…"), so the admin's catalogue is
completed from the project's (the only place translations are written)."""

from __future__ import annotations

import json

import pytest

from zhaoshang.core import admin_site

pytestmark = pytest.mark.django_db

CHOOSE = 'Choose %s by selecting them and then select the "Choose" arrow button.'


def test_it_completes_the_admin_script_catalogue_from_the_project_one(
    client_for, monkeypatch
) -> None:
    assert CHOOSE in admin_site.ADMIN_SCRIPT_MSGIDS
    monkeypatch.setattr(
        admin_site, "gettext", lambda msgid: "选中要选择的%s" if msgid == CHOOSE else msgid
    )
    script = client_for("yc_admin").get("/admin/jsi18n/").content.decode()
    assert json.dumps("选中要选择的%s") in script  # the catalogue is JSON inside the script
    assert "Choose all %s" not in script  # untranslated: left to Django's English fallback


def test_the_admin_scripts_are_for_admins_only(client_for) -> None:
    assert client_for("yc_staff").get("/admin/jsi18n/").status_code == 404
