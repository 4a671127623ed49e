"""The main menu: every app adds its entries; a user sees only what their role can open.

Core cannot import the apps above it, so each app registers its entries from
its ``AppConfig.ready()`` (like ``projects/panels.py``). An entry's ``visible``
asks ``core.policy`` the same question the page itself asks, so no link in the
menu answers 404 for the role that sees it (``tests/core/test_navigation.py``
follows every link as every demo role).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, reverse

from .policy import Capability, can, is_official

Visible = Callable[[Any], bool]


@dataclass(frozen=True)
class MenuItem:
    order: int
    label: Any  # a lazy translation
    url_name: str  # a URL name, or a path starting with "/"
    visible: Visible


_MENU: dict[str, MenuItem] = {}
#: key → (who, URL name): a role whose home is another app's page (the investor's projects)
_HOMES: dict[str, tuple[Visible, str]] = {}


def official(user: Any) -> bool:
    """Staff of an area (any role but investor), or an unrestricted superuser."""
    return bool(user.is_superuser or is_official(user))


def having(capability: Capability) -> Visible:
    def visible(user: Any) -> bool:
        return official(user) and can(user, capability)

    return visible


def register(*items: MenuItem) -> None:
    """Add entries (idempotent: ``ready()`` may run more than once in tests)."""
    for item in items:
        _MENU[item.url_name] = item


def menu_for(user: Any) -> list[dict[str, Any]]:
    """The entries ``user`` may open, in order, with their URLs resolved."""
    entries = sorted(_MENU.values(), key=lambda item: item.order)
    return [
        {"label": item.label, "url": _url(item.url_name)} for item in entries if item.visible(user)
    ]


def _url(name: str) -> str:
    return name if name.startswith("/") else _reversed(name, get_script_prefix())


@lru_cache(maxsize=256)
def _reversed(name: str, prefix: str) -> str:
    """``reverse(name)`` once per process and prefix: the menu resolves fifteen names on
    every page, and they never change while the process runs."""
    return reverse(name)


def register_home(key: str, visible: Visible, url_name: str) -> None:
    """Send users for whom ``visible`` holds to ``url_name`` when they open 首页."""
    _HOMES[key] = (visible, url_name)


def home_for(user: Any) -> str | None:
    """The URL of the user's own home page when an app registered one for them."""
    for visible, url_name in _HOMES.values():
        if visible(user):
            return _url(url_name)
    return None


#: a panel's context: ``None`` hides the panel (the role has nothing of this kind)
PanelContext = Callable[[Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class HomePanel:
    key: str
    order: int
    template: str
    context: PanelContext


_PANELS: dict[str, HomePanel] = {}


def register_home_panel(key: str, order: int, template: str, context: PanelContext) -> None:
    """Add a panel of 首页 "my work"; apps above core call this from ``ready()``.

    ``context(user)`` reads the app's own selectors scoped to ``user`` in a
    bounded number of queries, and returns ``None`` when the panel does not
    concern the user's role (an empty dict-like result still shows the panel).
    """
    _PANELS[key] = HomePanel(key, order, template, context)


def home_panels_for(user: Any) -> list[dict[str, Any]]:
    """The panels that concern ``user``, in order, each with its rendered context."""
    panels = []
    for panel in sorted(_PANELS.values(), key=lambda p: p.order):
        context = panel.context(user)
        if context is not None:
            panels.append({"key": panel.key, "template": panel.template, **context})
    return panels
