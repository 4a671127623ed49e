"""Fixtures of the targets tests: areas, indicators, the demo users, a fixed today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from zhaoshang.core.models import Area, User
from zhaoshang.targets.models import Indicator

#: A fixed "today" for derived numbers: 2026-10-15 (288th day of 365).
TODAY = dt.date(2026, 10, 15)


@pytest.fixture
def area(db: None) -> Callable[[str], Area]:
    def get(code: str) -> Area:
        return Area.objects.get(code=code)

    return get


@pytest.fixture
def yicheng(area: Callable[[str], Area]) -> Area:
    return area("411702")


@pytest.fixture
def xiping(area: Callable[[str], Area]) -> Area:
    return area("411721")


@pytest.fixture
def city(area: Callable[[str], Area]) -> Area:
    return area("411700")


@pytest.fixture
def ind(db: None) -> Callable[[str], Indicator]:
    def get(code: str) -> Indicator:
        return Indicator.objects.get(code=code)

    return get


@pytest.fixture
def city_chief(user_named: Callable[[str], User]) -> User:
    return user_named("zmd_city")


@pytest.fixture
def seed_demo(db: None) -> None:
    """Core (session), projects, construction and targets demos, as `zhaoshang demo` loads them."""
    from zhaoshang.construction.demo import load_demo as construction_demo
    from zhaoshang.projects.demo import load_demo as projects_demo
    from zhaoshang.targets.demo import load_demo as targets_demo

    projects_demo()
    construction_demo()
    targets_demo()
