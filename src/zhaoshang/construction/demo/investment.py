"""Demo key-project lists and monthly investment.

* Yicheng 2014 reproduces the seed exactly: 21 projects in the provincial and
  municipal lists, annual plan 51.2亿元 (512000 万元), completed 56.096亿元
  (560960 万元) = 109.56 %. The 21 projects are historical ones (2012–2014, now
  in production), made through ``projects.services`` like any other.
* Each sibling county (411721…411729) gets 3–6 key projects of 2014 with
  completion between 70 % and 130 %, each different, so the city ranking of
  重点项目完成投资 is real.
* 2026 (the current year) has lists drawn from the 44 demo projects of
  Yicheng (signed…production; some in two lists) and two projects per
  sibling, with reports for January through October.

Idempotent: projects are found by (area, name), entries by (project, year,
level), and a report whose current amount is the same writes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal

from zhaoshang.core.models import Area, User
from zhaoshang.projects import services as project_services
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Cluster, Project

from ..choices import ListLevel
from ..models import KeyProjectEntry
from ..services.investment import ReportRow, investments_record, key_entry_add

YICHENG = "411702"
SIBLINGS = (
    "411721",
    "411722",
    "411723",
    "411724",
    "411725",
    "411726",
    "411727",
    "411728",
    "411729",
)
SEED_YEAR = 2014
CURRENT_YEAR = 2026
CURRENT_MONTHS = 10  # reports January..October of the current year
#: share of a year's completed investment falling in each month (sums to 100)
MONTH_WEIGHTS = (3, 4, 7, 8, 9, 9, 9, 9, 10, 10, 11, 11)
P, C = ListLevel.PROVINCE, ListLevel.CITY

# name, investor, cluster, top list, annual plan 万元, completed 万元 (2014), city-list plan too
SEED_PROJECTS: tuple[tuple[str, str, str | None, str, int, int, int | None], ...] = (
    ("中集华骏冷藏车及罐式车扩建项目", "中集华骏车辆有限公司", "运输装备", P, 60000, 66800, 50000),
    (
        "大力天骏压力罐车生产基地项目",
        "驻马店大力天骏专用汽车制造有限公司",
        "运输装备",
        P,
        45000,
        49200,
        None,
    ),
    (
        "银泰新能源汽车整车生产项目",
        "河南银泰新能源汽车有限公司",
        "新能源汽车",
        P,
        55000,
        61500,
        50000,
    ),
    (
        "德威电缆特种电缆一期项目",
        "河南德威电缆有限公司",
        "电力电缆电器装备",
        P,
        38000,
        41600,
        None,
    ),
    (
        "华宇电力智能输配电设备项目",
        "华宇电力设备有限公司",
        "电力电缆电器装备",
        P,
        30000,
        33100,
        None,
    ),
    (
        "装备产业集聚区汽车零部件产业园项目",
        "驻马店天中汽车零部件有限公司",
        "运输装备",
        P,
        42000,
        45800,
        None,
    ),
    ("金龙沃诚电动客车生产项目", "金龙沃诚电动汽车有限公司", "新能源汽车", C, 25000, 27300, None),
    ("华源光伏组件生产项目", "华源光伏科技有限公司", None, C, 20000, 21900, None),
    ("联顺食品肉制品加工一期项目", "联顺食品有限公司", None, C, 15000, 16350, None),
    ("华润雪花啤酒驻马店扩建项目", "华润雪花啤酒(驻马店)有限公司", None, C, 18000, 19600, None),
    ("十三香集团调味品产业园项目", "十三香集团有限公司", None, C, 16000, 17200, None),
    ("顶志食品小磨香油生产线项目", "驻马店顶志食品有限公司", None, C, 12000, 13080, None),
    ("豫南农机装备产业园项目", "豫南农机装备有限公司", "农业工程机械装备", C, 14000, 15200, None),
    ("中原收获机械生产项目", "中原收获机械有限公司", "农业工程机械装备", C, 11000, 11900, None),
    ("天中专用车底盘配套项目", "天中专用车底盘有限公司", "运输装备", C, 13000, 14100, None),
    ("华骏车轴及悬挂系统配套项目", "驻马店华骏车轴有限公司", "运输装备", C, 10000, 10800, None),
    ("驻马店电力金具生产项目", "驻马店豫电金具有限公司", "电力电缆电器装备", C, 9000, 9700, None),
    ("豫南电器开关柜生产项目", "豫南电器有限公司", "电力电缆电器装备", C, 8000, 8650, None),
    ("天中电商物流园项目", "天中电商物流有限公司", "电商现代物流", C, 22000, 24000, None),
    ("驿城区冷链物流中心项目", "驻马店驿城冷链物流有限公司", "电商现代物流", C, 17000, 18500, None),
    ("天中动力电池组装项目", "天中动力电池有限公司", "新能源汽车", C, 32000, 34680, None),
)
SEED_PLAN = 512000
SEED_DONE = 560960

# Sibling 2014 lists: (completion ratio, number of projects); every ratio differs from Yicheng's
SIBLING_2014 = (
    (Decimal("0.78"), 3),
    (Decimal("1.02"), 4),
    (Decimal("0.915"), 5),
    (Decimal("1.18"), 6),
    (Decimal("0.73"), 3),
    (Decimal("1.27"), 4),
    (Decimal("0.865"), 5),
    (Decimal("1.055"), 6),
    (Decimal("0.955"), 4),
)
SIBLING_PRODUCTS = (
    "专用车零部件",
    "农产品精深加工",
    "新型建材",
    "电子信息产业园",
    "纺织服装",
    "现代物流园",
)
SIBLING_PLANS = (18000, 12000, 9000, 15000, 7000, 11000)
SIBLING_2026_PRODUCTS = ("智能制造产业园", "新能源装备")
MAIN_WALK = (
    Stage.INTENTION,
    Stage.NEGOTIATION,
    Stage.SIGNED,
    Stage.LANDED,
    Stage.CONSTRUCTION,
    Stage.PRODUCTION,
)


def _split(total: Decimal, months: int) -> list[Decimal]:
    """A year's (or part-year's) amount over its months by ``MONTH_WEIGHTS``, summing exactly."""
    weights = MONTH_WEIGHTS[:months]
    whole = sum(weights)
    parts = [(total * w / whole).quantize(Decimal("0.01")) for w in weights[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def _historical(
    *,
    area: Area,
    name: str,
    investor: str,
    total: Decimal,
    start: dt.date,
    final: str,
    cluster: Cluster | None,
    recorder: User | None,
    code: str = "",
    finished: dt.date | None = None,
) -> Project:
    """A project walked from lead to ``final`` through the services, about 6 weeks a stage."""
    project = Project.objects.filter(area=area, name=name).first()
    if project is not None:
        return project
    project = project_services.project_create(
        acting_user=recorder,
        area=area,
        name=name,
        code=code,
        event_date=start,
        investor_name=investor,
        total_investment=total,
        out_of_city_capital=total * 6 / 10,
        cluster=cluster,
        sub_bureau=cluster.sub_bureau if cluster else None,
    )
    when = start
    for stage in MAIN_WALK[: MAIN_WALK.index(final) + 1]:  # type: ignore[arg-type]
        when += dt.timedelta(days=45)
        if stage == Stage.PRODUCTION and finished is not None:
            when = max(when, finished)
        extra: dict[str, object] = {}
        if stage == Stage.SIGNED:
            extra = {"contract_date": when, "contracted_amount": total}
        elif stage == Stage.CONSTRUCTION:
            extra = {"start_date": when}
        project_services.project_transition(
            acting_user=recorder,
            project=project,
            to_stage=stage,
            event_date=when,
            note="按计划推进",
            **extra,  # type: ignore[arg-type]
        )
    return project


def _enter(recorder: User | None, project: Project, year: int, level: str, plan: Decimal) -> None:
    if not KeyProjectEntry.objects.filter(project=project, year=year, level=level).exists():
        key_entry_add(
            acting_user=recorder, project=project, year=year, level=level, planned_investment=plan
        )


def _reports(project: Project, year: int, amounts: Sequence[Decimal]) -> list[ReportRow]:
    return [
        ReportRow(project.pk, project.area_id, year, month, amount)
        for month, amount in enumerate(amounts, start=1)
    ]


def _recorder(area: Area, username: str) -> User | None:
    return User.objects.filter(username=username, area=area).first()


def load_yicheng_2014() -> list[ReportRow]:
    area = Area.objects.get(code=YICHENG)
    recorder = _recorder(area, "yc_staff")
    clusters = {c.name: c for c in Cluster.objects.filter(area=area).select_related("sub_bureau")}
    rows: list[ReportRow] = []
    for i, (name, investor, cluster, level, plan, done, city_plan) in enumerate(SEED_PROJECTS):
        project = _historical(
            area=area,
            name=name,
            investor=investor,
            total=Decimal(plan * 5 // 2),
            start=dt.date(2012, 1, 10) + dt.timedelta(days=17 * i),
            final=Stage.PRODUCTION,
            cluster=clusters.get(cluster or ""),
            recorder=recorder,
            code=f"YC-2012-{i + 1:03d}",
            finished=dt.date(2014, 9, 1) + dt.timedelta(days=4 * i),
        )
        _enter(recorder, project, SEED_YEAR, level, Decimal(plan))
        if city_plan is not None:
            _enter(recorder, project, SEED_YEAR, C, Decimal(city_plan))
        rows += _reports(project, SEED_YEAR, _split(Decimal(done), 12))
    return rows


def load_siblings() -> list[ReportRow]:
    rows: list[ReportRow] = []
    areas = {a.code: a for a in Area.objects.filter(code__in=SIBLINGS)}
    for index, code in enumerate(SIBLINGS):
        area = areas.get(code)
        if area is None:
            continue
        ratio, count = SIBLING_2014[index]
        short = area.name[:2]
        for j in range(count):
            plan = Decimal(SIBLING_PLANS[j])
            product = SIBLING_PRODUCTS[j]
            project = _historical(
                area=area,
                name=f"{area.name}{product}项目",
                investor=f"{short}{product}有限公司",
                total=plan * 3,
                start=dt.date(2012, 3, 1) + dt.timedelta(days=20 * j + 3 * index),
                final=Stage.PRODUCTION,
                cluster=None,
                recorder=None,
                finished=dt.date(2014, 10, 8) + dt.timedelta(days=3 * j + index),
            )
            _enter(None, project, SEED_YEAR, P if j == 0 else C, plan)
            rows += _reports(project, SEED_YEAR, _split(plan * ratio, 12))
        rows += _sibling_current(area, index)
    return rows


def _sibling_current(area: Area, index: int) -> list[ReportRow]:
    rows: list[ReportRow] = []
    for j, product in enumerate(SIBLING_2026_PRODUCTS):
        plan = Decimal(20000 + 4000 * ((index + j) % 5))
        project = _historical(
            area=area,
            name=f"{area.name}{product}项目",
            investor=f"{area.name[:2]}{product}科技有限公司",
            total=plan * 3,
            start=dt.date(2024, 9, 1) + dt.timedelta(days=11 * index + 5 * j),
            final=Stage.CONSTRUCTION,
            cluster=None,
            recorder=None,
        )
        _enter(None, project, CURRENT_YEAR, C, plan)
        pace = Decimal("0.62") + Decimal("0.05") * ((index * 2 + j) % 7)
        rows += _reports(project, CURRENT_YEAR, _split(plan * pace, CURRENT_MONTHS))
    return rows


#: share of the annual plan a 2026 project of each stage has done by October
CURRENT_PACE: dict[str, tuple[Decimal, Decimal]] = {
    Stage.CONSTRUCTION: (Decimal("0.70"), Decimal("0.98")),
    Stage.PRODUCTION: (Decimal("0.80"), Decimal("1.05")),
    Stage.LANDED: (Decimal("0.20"), Decimal("0.45")),
}
CURRENT_PLAN_SHARE: dict[str, Decimal] = {
    Stage.SIGNED: Decimal("0.10"),
    Stage.LANDED: Decimal("0.20"),
    Stage.CONSTRUCTION: Decimal("0.35"),
    Stage.PRODUCTION: Decimal("0.15"),
}


def load_yicheng_current() -> list[ReportRow]:
    """2026 lists from the projects demo (signed…production); provincial ones in two lists."""
    from zhaoshang.projects.demo import PROJECTS

    area = Area.objects.get(code=YICHENG)
    recorder = _recorder(area, "yc_staff")
    levels = {spec[0]: spec[5] for spec in PROJECTS}
    projects = Project.objects.filter(
        area=area, name__in=list(levels), stage__in=list(CURRENT_PLAN_SHARE)
    ).order_by("code", "pk")
    rng = random.Random(CURRENT_YEAR)  # noqa: S311 - repeatable demo data, not security
    rows: list[ReportRow] = []
    for project in projects:
        plan = (project.total_investment * CURRENT_PLAN_SHARE[project.stage]).quantize(Decimal(1))
        level = levels[project.name] or ListLevel.DISTRICT
        _enter(recorder, project, CURRENT_YEAR, level, plan)
        if level == ListLevel.PROVINCE:
            _enter(recorder, project, CURRENT_YEAR, C, plan)
        low, high = CURRENT_PACE.get(project.stage, (Decimal(0), Decimal(0)))
        pace = low + (high - low) * Decimal(rng.randint(0, 100)) / 100
        if pace:
            done = (plan * pace).quantize(Decimal("0.01"))
            rows += _reports(project, CURRENT_YEAR, _split(done, CURRENT_MONTHS))
    return rows


def load_demo() -> None:
    rows = load_yicheng_2014() + load_siblings() + load_yicheng_current()
    investments_record(acting_user=None, rows=rows, note="演示数据")
