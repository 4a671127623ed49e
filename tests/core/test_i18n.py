"""The zh_Hans catalogue: complete, compiled, and used (Chinese first, English on request)."""

from __future__ import annotations

import difflib
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from zhaoshang.core.choices import RoleCode, UnitKind

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO_PATH = CATALOGUE / "django.po"
MO_PATH = CATALOGUE / "django.mo"
PACKAGE = CATALOGUE.parents[2]  # src/zhaoshang, where `make messages` runs makemessages
MAKEFILE = PACKAGE.parents[1] / "Makefile"
#: what `make messages` passes to makemessages (the Makefile is checked to say the same)
MAKEMESSAGES = "makemessages -l zh_Hans --no-obsolete --add-location=file"

Key = tuple[str, str, str]  # (msgctxt, msgid, msgid_plural)
Translation = str | tuple[str, ...]


def _key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _keys(po: polib.POFile) -> set[Key]:
    return {_key(e) for e in po if not e.obsolete}


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _translation(entry: polib.POEntry | polib.MOEntry) -> Translation:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return entry.msgstr


def test_it_translates_every_msgid_without_fuzzy_entries() -> None:
    po = polib.pofile(str(PO_PATH))
    entries = [e for e in po if not e.obsolete]
    untranslated = [e.msgid for e in entries if not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert entries, f"{PO_PATH} holds no messages"
    assert not untranslated, f"untranslated msgids in {PO_PATH.name}: {untranslated}"
    assert not fuzzy, f"fuzzy msgids in {PO_PATH.name}: {fuzzy}"
    assert not po.metadata_is_fuzzy, "the .po header is marked fuzzy"
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"].startswith("nplurals=1;")
    assert "charset=UTF-8" in po.metadata["Content-Type"]


def test_it_keeps_the_compiled_mo_in_step_with_the_po() -> None:
    po = polib.pofile(str(PO_PATH))
    mo = polib.mofile(str(MO_PATH))
    expected = {_key(e): _translation(e) for e in po.translated_entries() if e.msgid}
    compiled = {_key(e): _translation(e) for e in mo if e.msgid}
    missing = sorted(k[1] for k in expected.keys() - compiled.keys())
    stale = sorted(k[1] for k in compiled.keys() - expected.keys())
    changed = sorted(k[1] for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not (missing or stale or changed), (
        "django.mo is out of date; run `make messages` (scripts/compile_messages.py): "
        f"missing={missing} stale={stale} changed={changed}"
    )


def test_it_runs_makemessages_in_make_messages_as_this_test_does() -> None:
    if not MAKEFILE.exists():
        pytest.skip(f"no Makefile at {MAKEFILE} (not a source checkout)")
    recipe = re.search(r"^messages:.*\n((?:\t.*\n)+)", MAKEFILE.read_text(), re.MULTILINE)
    assert recipe, "the Makefile has no `messages` target"
    assert MAKEMESSAGES in recipe.group(1)


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext (xgettext) is not installed; `make pytest` installs Debian's gettext",
)
def test_it_holds_exactly_what_makemessages_extracts_from_the_code(tmp_path: Path) -> None:
    """`make messages` on this tree changes nothing: no msgid added, dropped or moved file.

    makemessages runs on a copy of the package, so the committed catalogue is only read.
    """
    copy = tmp_path / "zhaoshang"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    fresh_po = copy / PO_PATH.relative_to(PACKAGE)
    command, *options = MAKEMESSAGES.split()
    with override_settings(LOCALE_PATHS=[copy / "locale"]), _working_directory(copy):
        call_command(command, *options, verbosity=0)
    committed, fresh = PO_PATH.read_text(encoding="utf-8"), fresh_po.read_text(encoding="utf-8")
    if fresh != committed:
        before, after = _keys(polib.pofile(committed)), _keys(polib.pofile(fresh))
        diff = difflib.unified_diff(
            committed.splitlines(), fresh.splitlines(), "committed", "makemessages", lineterm=""
        )
        pytest.fail(
            f"{PO_PATH.name} is not what `make messages` extracts from the code; run it, "
            "translate what is new (docs/translating.md) and commit the .po and .mo.\n"
            f"new msgids: {sorted(k[1] for k in after - before)}\n"
            f"msgids no longer in the code: {sorted(k[1] for k in before - after)}\n"
            + "\n".join(list(diff)[:80])
        )


@pytest.mark.parametrize(
    ("msgid", "chinese"),
    [
        ("Audit log", "审计日志"),
        ("Log in", "登录"),
        ("Investment Promotion and Key Project Platform", "招商引资与重点项目管理平台"),
    ],
)
def test_it_translates_to_chinese_and_stays_english_on_request(msgid: str, chinese: str) -> None:
    with translation.override("zh-hans"):
        assert gettext(msgid) == chinese
    with translation.override("en"):
        assert gettext(msgid) == msgid


def test_it_translates_lazy_choices_placeholders_and_plurals() -> None:
    with translation.override("zh-hans"):
        assert str(RoleCode.LEADER.label) == "区级领导"
        assert str(UnitKind.SUB_BUREAU.label) == "专业招商分局"
        assert gettext("Welcome, %(name)s.") % {"name": "张三"} == "欢迎您，张三。"
        assert ngettext("%(n)s event", "%(n)s events", 3) % {"n": 3} == "共 3 条记录"
    with translation.override("en"):
        assert str(RoleCode.LEADER.label) == "District leader"
        assert ngettext("%(n)s event", "%(n)s events", 3) % {"n": 3} == "3 events"


def test_it_shows_the_login_page_in_chinese_by_default(client: Client, db: None) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "登录" in content
    assert "招商引资与重点项目管理平台" in content
    assert response.headers["Content-Language"] == "zh-hans"


def test_it_shows_the_login_page_in_english_with_the_language_cookie(
    client: Client, db: None
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Log in" in content
    assert "Investment Promotion and Key Project Platform" in content
    assert "登录" not in content
    assert response.headers["Content-Language"] == "en"
