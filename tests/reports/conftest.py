"""A small, fully known dataset for the dashboard tests.

Projects go through ``projects.services`` (so stage events and
``last_progress_on`` are real); key-list rollups, milestones, targets and
actuals are rows written directly, because the panels only read them and the
numbers must be exact.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from zhaoshang.construction.models import InvestmentRollup, KeyPlanRollup, Milestone
from zhaoshang.core.models import Area, Person, User
from zhaoshang.projects import services
from zhaoshang.projects.models import Cluster, Project
from zhaoshang.targets.models import Actual, Target

#: the day the dataset is built back from and the panels are asked about: fixed, mid-year,
#: since the panels count within a year (nodes overdue since Jan 1) and days built back from
#: a real early-January today fall in the year before. In the past: services refuse future dates.
TODAY = dt.date(2026, 6, 15)
YEAR = 2014


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def make(user: User, name: str, **fields: Any) -> Project:
    fields.setdefault("investor_name", "测试投资方")
    area = fields.pop("area", user.area)
    return services.project_create(acting_user=user, area=area, name=name, **fields)


@pytest.fixture
def yicheng(db: None) -> Area:
    return Area.objects.get(code="411702")


@pytest.fixture
def xiping(db: None) -> Area:
    return Area.objects.get(code="411721")


@pytest.fixture
def dataset(user_named: Any, yicheng: Area, xiping: Area) -> dict[str, Any]:
    """Five Yicheng projects (one terminated), one Xiping project, milestones, 2014 rollups."""
    staff, xp = user_named("yc_staff"), user_named("xp_staff")
    transport = Cluster.objects.create(area=yicheng, name="测试运输装备")
    energy = Cluster.objects.create(area=yicheng, name="测试新能源")
    p = {
        "stuck_build": make(
            staff,
            "卡住的在建项目",
            stage="construction",
            start_date=ago(100),
            contract_date=ago(150),
            contracted_amount=Decimal("900"),
            cluster=transport,
            source_region="yrd",
            total_investment=Decimal("1000"),
            event_date=ago(100),
        ),
        "fresh_signed": make(
            staff,
            "新签约项目",
            stage="signed",
            contract_date=ago(5),
            contracted_amount=Decimal("400"),
            cluster=transport,
            source_region="prd",
            total_investment=Decimal("500.5"),
            event_date=ago(5),
        ),
        "stuck_lead": make(
            staff, "卡住的线索", total_investment=Decimal("200"), event_date=ago(200)
        ),
        "producing": make(
            staff,
            "投产项目",
            stage="production",
            start_date=ago(400),
            contract_date=ago(500),
            contracted_amount=Decimal("1"),
            production_date=ago(300),
            cluster=energy,
            source_region="yrd",
            total_investment=Decimal("3000"),
            event_date=ago(300),
        ),
        "dropped": make(
            staff,
            "终止项目",
            cluster=energy,
            source_region="yrd",
            total_investment=Decimal("9999"),
            event_date=ago(30),
        ),
        "xiping": make(
            xp,
            "西平项目",
            total_investment=Decimal("7777"),
            source_region="yrd",
            event_date=ago(400),
        ),
    }
    services.project_transition(
        acting_user=staff,
        project=p["dropped"],
        to_stage="terminated",
        event_date=TODAY,  # not the real today: TODAY's year-end counts it terminated
        reason="投资方撤资",
    )
    build = p["stuck_build"]
    Milestone.objects.create(
        area=yicheng,
        project=build,
        title="完成环评",
        due_date=ago(10),
        responsible_person=Person.objects.create(area=yicheng, name="张三"),
    )
    Milestone.objects.create(
        area=yicheng, project=build, title="取得施工许可", due_date=ago(3), status="in_progress"
    )
    Milestone.objects.create(
        area=yicheng,
        project=build,
        title="已办完",
        due_date=ago(20),
        status="done",
        done_date=ago(21),
    )
    Milestone.objects.create(area=yicheng, project=build, title="将来", due_date=ago(-10))
    Milestone.objects.create(area=xiping, project=p["xiping"], title="西平逾期", due_date=ago(50))
    for area, level, n, planned in (
        (yicheng, "province", 5, "300000"),
        (yicheng, "city", 16, "212000"),
        (yicheng, "district", 3, "10000"),
        (xiping, "city", 4, "50000"),
    ):
        KeyPlanRollup.objects.create(
            area=area, year=YEAR, top_level=level, projects=n, planned=Decimal(planned)
        )
    for area, month, level, amount in (
        (yicheng, 6, "province", "300000"),
        (yicheng, 12, "city", "260960"),
        (yicheng, 3, "district", "5000"),
        (xiping, 6, "city", "25000"),
    ):
        InvestmentRollup.objects.create(
            area=area, year=YEAR, month=month, top_level=level, amount=Decimal(amount), reports=1
        )
    for area, target, actual in ((yicheng, "9550", "15280"), (xiping, "10000", "20000")):
        Target.objects.create(
            area=area, year=YEAR, indicator_id="import_export", value=Decimal(target)
        )
        Actual.objects.create(
            area=area, year=YEAR, month=12, indicator_id="import_export", value=Decimal(actual)
        )
    return p
