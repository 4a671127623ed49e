"""Fixtures of the projects tests: projects made through the services, JSON calls."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zhaoshang.core.models import Area, User
from zhaoshang.projects import services
from zhaoshang.projects.models import Enterprise, Project

TODAY = timezone.localdate()


def call(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    """A JSON request; returns the response with ``.data`` (the decoded body, or None)."""
    kwargs: dict[str, Any] = {"headers": headers} if headers else {}
    if body is not None:
        kwargs.update(
            data=body if isinstance(body, str | bytes) else json.dumps(body),
            content_type="application/json",
        )
    response = getattr(client, method)(url, **kwargs)
    is_json = response.headers.get("Content-Type", "").startswith("application/json")
    response.data = json.loads(response.content) if is_json else None
    return response


@pytest.fixture
def staff(user_named: Callable[[str], User]) -> User:
    return user_named("yc_staff")


@pytest.fixture
def yicheng(db: None) -> Area:
    return Area.objects.get(code="411702")


@pytest.fixture
def make_project(staff: User) -> Callable[..., Project]:
    """A project in 驿城区 made by yc_staff through ``project_create``, 100 days old."""

    def make(name: str = "API测试项目", **fields: Any) -> Project:
        fields.setdefault("investor_name", "测试投资方")
        fields.setdefault("total_investment", Decimal("5000"))
        fields.setdefault("event_date", TODAY - dt.timedelta(days=100))
        area = fields.pop("area", staff.area)
        return services.project_create(acting_user=staff, area=area, name=name, **fields)

    return make


@pytest.fixture
def project(make_project: Callable[..., Project]) -> Project:
    return make_project()


@pytest.fixture
def enterprise(staff: User) -> Enterprise:
    return services.enterprise_save(
        acting_user=staff,
        enterprise=Enterprise(area=staff.area, name="API测试企业", region_code="411702"),
    )
