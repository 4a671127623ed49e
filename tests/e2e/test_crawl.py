"""Chinese everywhere (issue 11 §7): every page a demo role reaches from the menu, in Chromium.

For each role the crawl logs in (enrolling TOTP through the real setup page for
the roles that need it), follows every menu link and every same-site link found
on those pages one level deep, and collects every problem before failing once:

- an answer of 4xx/5xx (downloads are fetched with the context's cookies, not rendered);
- a document wider than the 1366 px viewport;
- an English msgid of the catalogue visible in the page's text (an untranslated string);
- a raw choice code (``china500``, ``succeeded``…) shown instead of its label.

Pages are de-duplicated by path pattern (``/projects/1/`` and ``/projects/2/``
count once) and bounded per role, so the whole crawl stays within minutes.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import zip_longest
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import django
import polib
import pytest
from django.apps import apps
from django.db import models
from django_otp.oath import totp
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1366, "height": 768}
MAX_PAGES = 60
CATALOGUE = (
    Path(__file__).resolve().parents[2] / "src/zhaoshang/locale/zh_Hans/LC_MESSAGES/django.po"
)
#: every demo role; the first two need TOTP, enrolled through the setup page
ROLES = [
    "yc_admin",
    "yc_leader",
    "yc_staff",
    "yc_chief",
    "yc_subchief",
    "yc_viewer",
    "yc_supervisor",
    "yc_investor",
    "zmd_city",
    "xp_staff",
]
#: links not followed: they log out, switch language, or are files fetched by request only
SKIP = re.compile(r"^/(accounts/logout|admin/logout|accounts/language)/")
DOWNLOAD = re.compile(r"(\.xlsx|\.json|\.csv|\.pdf|/attachments/\d+/)$|^/api/v1/")
#: the admin beyond its index, its lists and its add forms (each row's change form…)
ADMIN_DEEP = re.compile(r"^/admin/[^/]+/[^/]+/(?!add/$).+")
#: a list's page, size and order show the same page again: not crawled twice
LIST_KEYS = frozenset({"page", "per", "sort"})
NUMBER = re.compile(r"/\d+(?=/|$)")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|\{\{[^}]*\}\}")
#: one token with a separator inside: a code or a path, not prose
CODE = re.compile(r"[\w-]*[_./:][\w./:-]*")
#: English-looking words: at least two of them, or one of eight letters or more
WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*")

#: hide what may legitimately show codes (keys, examples), then read what a person sees
VISIBLE_TEXT = """() => {
  for (const el of document.querySelectorAll('code, pre, kbd, samp, script, style, textarea')) {
    el.style.display = 'none';
  }
  return document.body ? document.body.innerText : '';
}"""
PAGE_LINKS = """() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"""


def _english(text: str) -> bool:
    words = WORDS.findall(text)
    return len(words) >= 2 or (len(words) == 1 and len(words[0]) >= 8)


@cache
def untranslated_pattern() -> re.Pattern[str]:
    """The probes as whole words (``investor`` is not found inside ``yc_investor``)."""
    alternatives = "|".join(map(re.escape, untranslated_probes()))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


@cache
def untranslated_probes() -> tuple[str, ...]:
    """English msgids (and the literal parts of format strings) that a zh-Hans page must
    never show: each is what the page would read if its translation were missing."""
    probes: set[str] = set()
    entries = [*polib.pofile(str(CATALOGUE)), *django_lacking()]
    for entry in entries:
        if entry.obsolete:
            continue
        translations = [entry.msgstr, *entry.msgstr_plural.values()]
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            if msgid in translations:
                continue  # its own translation (a brand name, a unit)
            for part in PLACEHOLDER.split(msgid):
                part = part.strip(' :：,.;()[]·-\n"')
                if _english(part) and not CODE.fullmatch(part):
                    probes.add(part)
    return tuple(sorted(probes, key=len, reverse=True))


def django_lacking() -> list[polib.POEntry]:
    """Django's own strings that its zh_Hans catalogues lack (its English catalogues list
    them all): the admin's "Choose 角色…" picker and table heads are among them."""
    root = Path(django.__file__).parent
    lacking = []
    for english in root.glob("**/locale/en/LC_MESSAGES/*.po"):
        chinese = Path(str(english).replace("/en/", "/zh_Hans/"))
        known = (
            {e.msgid for e in polib.pofile(str(chinese)) if e.translated()}
            if chinese.exists()
            else set()
        )
        lacking += [e for e in polib.pofile(str(english)) if e.msgid not in known]
    return lacking


@cache
def choice_codes() -> re.Pattern[str]:
    """Every value of the apps' ``TextChoices`` as a whole word: shown raw, it is a bug."""
    codes: set[str] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("zhaoshang."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.choices")
        except ImportError:
            continue
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, models.TextChoices):
                codes.update(code for code in value.values if code and len(code) >= 3)
    alternatives = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    return re.compile(rf"(?<![\w/.@-])(?:{alternatives})(?![\w/.@-])")


def _pattern(url: str) -> str:
    """A page's identity for the crawl: numbers in the path, query values and the
    list's page, size and order do not count."""
    parts = urlsplit(url)
    keys = sorted(
        {key for key, _value in parse_qsl(parts.query, keep_blank_values=True)} - LIST_KEYS
    )
    return NUMBER.sub("/<n>", parts.path) + ("?" + "&".join(keys) if keys else "")


@dataclass
class Crawl:
    role: str
    origin: str
    page: Page
    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    visited: int = 0

    def fail(self, url: str, what: str) -> None:
        self.problems.append(f"{self.role} {urlsplit(url).path or '/'}: {what}")

    def local(self, url: str) -> str | None:
        """The path and query of a same-site link worth following, else None."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin or SKIP.match(parts.path):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def fresh(self, path: str) -> bool:
        pattern = _pattern(path)
        if pattern in self.seen or self.visited >= MAX_PAGES:
            return False
        self.seen.add(pattern)
        self.visited += 1
        return True

    def fetch(self, path: str) -> None:
        """A download: only its status matters."""
        response = self.page.request.get(path, max_redirects=5)
        if response.status >= 400:
            self.fail(path, f"answered {response.status}")

    def visit(self, path: str) -> list[str]:
        """Open a page, check it, and return the links it shows."""
        try:
            response = self.page.goto(path)
        except PlaywrightError as exc:
            if "Download is starting" not in str(exc):
                raise
            self.fetch(path)  # a download behind a page-like address (``?export=``)
            return []
        status = response.status if response is not None else 0
        if status >= 400 or status == 0:
            self.fail(path, f"answered {status}")
            return []
        if "/accounts/login/" in self.page.url:
            self.fail(path, "sent back to the log-in page")
            return []
        width = self.page.evaluate("document.documentElement.scrollWidth")
        if width > VIEWPORT["width"]:
            self.fail(path, f"{width} px wide at a {VIEWPORT['width']} px viewport")
        links: list[str] = self.page.evaluate(PAGE_LINKS)
        self.check_text(path, self.page.evaluate(VISIBLE_TEXT))
        return links

    def check_text(self, path: str, text: str) -> None:
        english = sorted(set(untranslated_pattern().findall(text)))
        if english:
            self.fail(path, f"English shown: {english[:8]}")
        codes = sorted(set(choice_codes().findall(text)))
        if codes:
            self.fail(path, f"raw choice codes shown: {codes}")

    def open(self, path: str, *, follow: bool) -> list[str]:
        parts = urlsplit(path)
        if DOWNLOAD.search(parts.path) or "export=" in parts.query:
            self.fetch(path)
            return []
        links = self.visit(path)
        return [link for link in map(self.local, links) if link] if follow else []


#: the TOTP keys enrolled in this session, for a second log-in of the same user
_TOTP_KEYS: dict[str, bytes] = {}


def log_in(page: Page, username: str) -> None:
    """The real log-in form; a role that needs TOTP enrols it from the key the page shows."""
    page.goto("/accounts/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    step = urlsplit(page.url).path
    if step in ("/accounts/otp/setup/", "/accounts/otp/verify/"):
        if step.endswith("setup/"):
            secret = page.locator("code.secret").inner_text().replace(" ", "")
            _TOTP_KEYS[username] = base64.b32decode(secret)
        page.locator("input[name='token']").fill(f"{totp(_TOTP_KEYS[username]):06d}")
        page.locator("form button[type='submit']").last.click()
        page.wait_for_load_state()
    assert "/accounts/" not in urlsplit(page.url).path, f"{username} stuck at {page.url}"


@pytest.fixture
def role_context(browser: Browser, served_app: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=served_app, locale="zh-CN", viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def crawl(role: str, page: Page, origin: str) -> Crawl:
    run = Crawl(role, origin, page)
    page.goto("/")
    menu = [
        link
        for link in map(
            run.local,
            page.evaluate(
                "() => Array.from(document.querySelectorAll('nav.mainnav a[href]'), a => a.href)"
            ),
        )
        if link
    ]
    assert menu, f"{role} sees no menu"
    found: list[list[str]] = []
    for path in ["/", *menu]:
        if run.fresh(path):
            found.append(run.open(path, follow=True))
    # one level deep, taking each page's links in turn so that every menu entry gets its share
    for path in _interleave(found):
        if ADMIN_DEEP.match(urlsplit(path).path) is None and run.fresh(path):
            run.open(path, follow=False)
    return run


def _interleave(lists: list[list[str]]) -> Iterator[str]:
    for row in zip_longest(*lists):
        yield from filter(None, row)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_is_chinese_and_fits(
    role: str, role_context: BrowserContext, served_app: str
) -> None:
    page = role_context.new_page()
    log_in(page, role)
    run = crawl(role, page, served_app)
    assert run.visited > 1 or role == "yc_investor"
    assert not run.problems, f"{len(run.problems)} problems:\n" + "\n".join(run.problems)
