"""The indicator panel of 首页 "my work" for leaders (``core.navigation``'s registry)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils import timezone

from zhaoshang.core.choices import RoleCode
from zhaoshang.core.navigation import register_home_panel

from . import selectors


def indicators_panel(user: Any) -> dict[str, Any] | None:
    """A leader's area: each indicator's completion against the share of the year gone."""
    if not user.has_role(RoleCode.LEADER) or user.area is None:
        return None
    year = timezone.localdate().year
    rows = selectors.indicator_rows(user, area=user.area, year=year)
    return {
        "rows": rows,
        "year": year,
        "elapsed": rows[0].time_elapsed_pct if rows else None,
        "query": urlencode({"area": user.area.code, "year": year}),
    }


def register_home_panels() -> None:
    register_home_panel("indicators", 5, "targets/home/_indicators.html", indicators_panel)
