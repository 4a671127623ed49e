"""Fixtures of the approvals tests: a small catalogue in 驿城区, a project, its plan.

Every test runs on Friday 2026-11-27 (Asia/Shanghai) unless it travels elsewhere:
November 2026 has no holidays, so working days are the weekdays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from tests.factories import ProjectFactory, person_of
from zhaoshang.approvals import services
from zhaoshang.approvals.choices import Phase
from zhaoshang.approvals.models import ApprovalItem, ApprovalItemType
from zhaoshang.core.models import Area, Unit, User
from zhaoshang.projects.models import Project

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _friday() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def staff(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.get(username="yc_staff")


@pytest.fixture
def yicheng(db) -> Area:  # type: ignore[no-untyped-def]
    return Area.objects.get(code="411702")


@pytest.fixture
def catalogue(yicheng: Area) -> list[ApprovalItemType]:
    """Three items: 消防设计审查 15/10, 用地预审 20/13 (the 2/3 default), 施工许可 7/4."""
    department = Unit.objects.get(area=yicheng, name="驿城区人民政府")
    rows = [
        ("用地预审与选址意见书", Phase.LAND_PLANNING, 20, None),
        ("消防设计审查", Phase.CONSTRUCTION_PERMIT, 15, 10),
        ("建筑工程施工许可证", Phase.CONSTRUCTION_PERMIT, 7, None),
    ]
    return [
        services.item_type_create(
            acting_user=None,
            area=yicheng,
            phase=phase,
            name=name,
            department=department,
            legal_limit=legal,
            promised_limit=promised,
            order=k,
        )
        for k, (name, phase, legal, promised) in enumerate(rows)
    ]


@pytest.fixture
def project(yicheng: Area) -> Project:
    return ProjectFactory(area=yicheng, name="审批测试项目")


@pytest.fixture
def plan(project: Project, catalogue: list[ApprovalItemType], staff: User) -> list[ApprovalItem]:
    """The project's plan (simulated: it has no land), agent 周晓燕 (yc_staff)."""
    return services.plan_generate(
        acting_user=staff, project=project, agent=person_of(staff), planned_on=dt.date(2026, 10, 1)
    )


@pytest.fixture
def fire(plan: list[ApprovalItem]) -> ApprovalItem:
    """消防设计审查: promised 10 working days."""
    return next(i for i in plan if i.item_type.name == "消防设计审查")
