"""Demo investment projects of 驿城区 from the seed article (DOMAIN.md §2).

Five clusters with their sub-bureaus and leading enterprises (中集华骏, 大力天骏,
银泰新能源汽车, 德威电缆, 华宇电力), the other local enterprises the article names,
and 44 projects across every stage, method and key region, with stage moves
and activities spread over 2025–2026 so that time-in-stage and stuck flags show.

Idempotent like the core demo: existing rows (by natural key) are left alone.
Dates are fixed, not relative to today, so the demo is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from zhaoshang.core import services as core_services
from zhaoshang.core.choices import PersonRank
from zhaoshang.core.demo import DEMO_PASSWORD
from zhaoshang.core.models import Area, Person, Unit, User

from . import services
from .choices import MAIN_STAGES, ActivityKind, KeyLevel, KeyRegion, Method, Stage
from .models import Cluster, Enterprise, InvestorAccount, Project
from .validators import uscc_check_char

YICHENG = "411702"
CLUSTERS = [
    ("运输装备", "专用车运输装备专业招商局"),
    ("新能源汽车", "新能源汽车装备专业招商分局"),
    ("农业工程机械装备", "农业工程机械装备专业招商分局"),
    ("电力电缆电器装备", "电力电缆电器装备专业招商分局"),
    ("电商现代物流", "电商现代物流专业招商分局"),
]
# name, cluster, leading?, industry code, registered capital 万元, employees, tags, description
ENTERPRISES = [
    (
        "中集华骏车辆有限公司",
        "运输装备",
        True,
        "C3663",
        "30000",
        2100,
        ["china500"],
        "中国机械工业500强",
    ),
    (
        "驻马店大力天骏专用汽车制造有限公司",
        "运输装备",
        True,
        "C3663",
        "12000",
        860,
        [],
        "国家质检总局许可的第一家压力罐车制造企业",
    ),
    (
        "河南银泰新能源汽车有限公司",
        "新能源汽车",
        True,
        "C3612",
        "20000",
        1200,
        ["hightech"],
        "新能源电动汽车整车",
    ),
    ("河南德威电缆有限公司", "电力电缆电器装备", True, "C3831", "8000", 640, ["specialised"], ""),
    ("华宇电力设备有限公司", "电力电缆电器装备", True, "C3821", "6000", 420, [], ""),
    (
        "华源光伏科技有限公司",
        "电力电缆电器装备",
        False,
        "C3825",
        "15000",
        900,
        ["hightech"],
        "中国光伏骨干企业之一",
    ),
    ("联顺食品有限公司", None, False, "C1353", "5000", 1500, [], "河南龙头食品加工企业"),
    (
        "华润雪花啤酒（驻马店）有限公司",
        None,
        False,
        "C1513",
        "10000",
        600,
        ["global500"],
        "世界500强企业华润集团控股",
    ),
    (
        "河南金龙沃诚电动汽车科技有限公司",
        "新能源汽车",
        False,
        "C3612",
        "10000",
        380,
        [],
        "金龙控股集团投资",
    ),
    (
        "十三香调味品集团有限公司",
        None,
        False,
        "C1462",
        "20000",
        3000,
        [],
        "全国最大的调味品生产基地",
    ),
    ("驻马店顶志食品有限公司", None, False, "C1331", "6000", 700, [], "亚洲最大的芝麻油加工基地"),
    ("大程粮食集团有限公司", None, False, "C1311", "30000", 2600, [], "全国最大的粮食加工转化企业"),
]
METHODS = list(Method.values)
REGIONS = [
    KeyRegion.YANGTZE,
    KeyRegion.PEARL,
    KeyRegion.JINGJINJI,
    KeyRegion.OTHER_PROVINCE,
    KeyRegion.LOCAL,
    KeyRegion.OVERSEAS,
]
# name, investor (enterprise name or outside investor), cluster, final stage, total 万元, and
# the level of its key list this year (the construction demo puts it there)
PROJECTS = [
    (
        "中集华骏年产2万辆专用车扩建项目",
        "中集华骏车辆有限公司",
        "运输装备",
        Stage.PRODUCTION,
        150000,
        KeyLevel.PROVINCE,
    ),
    (
        "大力天骏压力罐车智能化生产线项目",
        "驻马店大力天骏专用汽车制造有限公司",
        "运输装备",
        Stage.CONSTRUCTION,
        48000,
        KeyLevel.CITY,
    ),
    (
        "银泰新能源电动汽车整车二期项目",
        "河南银泰新能源汽车有限公司",
        "新能源汽车",
        Stage.CONSTRUCTION,
        220000,
        KeyLevel.PROVINCE,
    ),
    (
        "德威电缆特种电缆产业园项目",
        "河南德威电缆有限公司",
        "电力电缆电器装备",
        Stage.PRODUCTION,
        65000,
        KeyLevel.CITY,
    ),
    (
        "华宇电力智能电网设备项目",
        "华宇电力设备有限公司",
        "电力电缆电器装备",
        Stage.LANDED,
        32000,
        KeyLevel.CITY,
    ),
    (
        "华源光伏高效组件二期项目",
        "华源光伏科技有限公司",
        "电力电缆电器装备",
        Stage.SIGNED,
        88000,
        KeyLevel.CITY,
    ),
    (
        "金龙沃诚电动客车生产基地项目",
        "河南金龙沃诚电动汽车科技有限公司",
        "新能源汽车",
        Stage.CONSTRUCTION,
        120000,
        KeyLevel.PROVINCE,
    ),
    (
        "红星美凯龙城市综合体项目",
        "红星美凯龙家居集团股份有限公司",
        None,
        Stage.CONSTRUCTION,
        1200000,
        KeyLevel.PROVINCE,
    ),
    (
        "十三香调味品智能化生产基地项目",
        "十三香调味品集团有限公司",
        None,
        Stage.PRODUCTION,
        56000,
        KeyLevel.CITY,
    ),
    (
        "顶志食品芝麻油精深加工项目",
        "驻马店顶志食品有限公司",
        None,
        Stage.LANDED,
        23000,
        KeyLevel.DISTRICT,
    ),
    ("大程集团粮食精深加工项目", "大程粮食集团有限公司", None, Stage.SIGNED, 76000, KeyLevel.CITY),
    (
        "华润雪花啤酒驻马店扩产项目",
        "华润雪花啤酒（驻马店）有限公司",
        None,
        Stage.PRODUCTION,
        45000,
        KeyLevel.CITY,
    ),
    (
        "联顺食品肉制品深加工项目",
        "联顺食品有限公司",
        None,
        Stage.NEGOTIATION,
        18000,
        KeyLevel.DISTRICT,
    ),
    (
        "苏州恒远汽车零部件生产项目",
        "苏州恒远汽车零部件有限公司",
        "运输装备",
        Stage.SIGNED,
        30000,
        KeyLevel.DISTRICT,
    ),
    ("常州华晟车桥总成项目", "常州华晟车桥有限公司", "运输装备", Stage.NEGOTIATION, 26000, ""),
    ("宁波凯达液压件项目", "宁波凯达液压科技有限公司", "运输装备", Stage.INTENTION, 12000, ""),
    (
        "深圳锐能动力电池PACK项目",
        "深圳锐能新能源科技有限公司",
        "新能源汽车",
        Stage.NEGOTIATION,
        95000,
        KeyLevel.CITY,
    ),
    ("东莞驰拓电机控制器项目", "东莞驰拓电子有限公司", "新能源汽车", Stage.INTENTION, 22000, ""),
    ("广州星途充电桩制造项目", "广州星途充电设备有限公司", "新能源汽车", Stage.LEAD, 8000, ""),
    (
        "天津北辰农机装备产业园项目",
        "天津北辰农业装备有限公司",
        "农业工程机械装备",
        Stage.SIGNED,
        54000,
        KeyLevel.CITY,
    ),
    (
        "潍坊沃野拖拉机总装项目",
        "潍坊沃野农业机械有限公司",
        "农业工程机械装备",
        Stage.NEGOTIATION,
        40000,
        KeyLevel.DISTRICT,
    ),
    (
        "河北丰裕植保机械项目",
        "河北丰裕机械制造有限公司",
        "农业工程机械装备",
        Stage.INTENTION,
        9000,
        "",
    ),
    (
        "北京中农智能灌溉设备项目",
        "北京中农智能科技有限公司",
        "农业工程机械装备",
        Stage.LEAD,
        15000,
        "",
    ),
    (
        "无锡远东变压器项目",
        "无锡远东电气有限公司",
        "电力电缆电器装备",
        Stage.LANDED,
        36000,
        KeyLevel.CITY,
    ),
    (
        "上海申电开关柜项目",
        "上海申电成套设备有限公司",
        "电力电缆电器装备",
        Stage.NEGOTIATION,
        21000,
        "",
    ),
    (
        "杭州曙光储能系统项目",
        "杭州曙光储能技术有限公司",
        "电力电缆电器装备",
        Stage.INTENTION,
        60000,
        "",
    ),
    (
        "京东豫南智能物流园项目",
        "京东物流集团",
        "电商现代物流",
        Stage.CONSTRUCTION,
        80000,
        KeyLevel.PROVINCE,
    ),
    (
        "顺丰驻马店电商产业园项目",
        "顺丰控股股份有限公司",
        "电商现代物流",
        Stage.SIGNED,
        45000,
        KeyLevel.CITY,
    ),
    (
        "菜鸟农产品冷链仓储项目",
        "浙江菜鸟供应链管理有限公司",
        "电商现代物流",
        Stage.NEGOTIATION,
        30000,
        KeyLevel.DISTRICT,
    ),
    (
        "深圳跨境电商孵化基地项目",
        "深圳前海跨境电商服务有限公司",
        "电商现代物流",
        Stage.LEAD,
        5000,
        "",
    ),
    (
        "香港嘉盛汽车内饰项目",
        "嘉盛国际（香港）有限公司",
        "运输装备",
        Stage.SIGNED,
        28000,
        KeyLevel.DISTRICT,
    ),
    (
        "德国海纳传动部件项目",
        "Heiner Antriebstechnik GmbH",
        "运输装备",
        Stage.NEGOTIATION,
        42000,
        KeyLevel.CITY,
    ),
    ("韩国世元汽车线束项目", "Saewon Harness Co., Ltd.", "新能源汽车", Stage.PAUSED, 19000, ""),
    ("郑州宇辰专用车改装项目", "郑州宇辰汽车改装有限公司", "运输装备", Stage.TERMINATED, 7000, ""),
    (
        "洛阳一拓农机配件项目",
        "洛阳一拓机械配件有限公司",
        "农业工程机械装备",
        Stage.PAUSED,
        6000,
        "",
    ),
    ("南京润泽线缆材料项目", "南京润泽新材料有限公司", "电力电缆电器装备", Stage.LEAD, 11000, ""),
    (
        "合肥新源电驱动系统项目",
        "合肥新源动力科技有限公司",
        "新能源汽车",
        Stage.LANDED,
        52000,
        KeyLevel.CITY,
    ),
    ("青岛海鲲冷藏车项目", "青岛海鲲冷链装备有限公司", "运输装备", Stage.INTENTION, 16000, ""),
    (
        "厦门闽鑫物流装备项目",
        "厦门闽鑫物流设备有限公司",
        "电商现代物流",
        Stage.NEGOTIATION,
        14000,
        "",
    ),
    (
        "驻马店装备园标准化厂房项目",
        "驻马店市产业投资集团有限公司",
        None,
        Stage.CONSTRUCTION,
        35000,
        KeyLevel.DISTRICT,
    ),
    ("唐山冀东收获机械项目", "唐山冀东农机有限公司", "农业工程机械装备", Stage.SIGNED, 27000, ""),
    (
        "佛山顺德电器元件项目",
        "佛山顺德华联电器有限公司",
        "电力电缆电器装备",
        Stage.INTENTION,
        9500,
        "",
    ),
    ("温州正泰低压电器配套项目", "温州正衡电气有限公司", "电力电缆电器装备", Stage.LEAD, 7500, ""),
    (
        "成都天府无人机植保服务项目",
        "成都天府智飞科技有限公司",
        "农业工程机械装备",
        Stage.TERMINATED,
        4000,
        "",
    ),
]
EXTRA_USERS = [  # (username, full name, title, unit, roles): trackers and chiefs for the chains
    ("yc_tracker1", "王欣", "招商专员", "专用车运输装备专业招商局", ("staff",)),
    ("yc_tracker2", "李航", "招商专员", "电力电缆电器装备专业招商分局", ("staff",)),
    ("yc_subchief2", "杨帆", "分局长", "电商现代物流专业招商分局", ("sub_chief",)),
    ("yc_leader2", "何振华", "常务副区长", "驿城区人民政府", ("leader",)),
]
#: cadres named on the chains who never log in (人员库 rows without an account): the
#: district's leaders lead projects, which is why chains name Persons, not accounts
CADRES = [  # (name, post, rank, unit)
    ("张卫东", "副区长", PersonRank.DISTRICT_LEADER, "驿城区人民政府"),
    ("马俊峰", "区招商服务中心主任", PersonRank.DIVISION, "驿城区人民政府"),
]
#: the rank of a demo account's Person, by its first matching role (as core 0004 maps them)
RANK_OF_ROLE = (
    ("leader", PersonRank.DISTRICT_LEADER),
    ("chief", PersonRank.CHIEF),
    ("sub_chief", PersonRank.SUB_CHIEF),
    ("staff", PersonRank.OFFICER),
)
START = dt.date(2025, 1, 6)
LAST_DAY = dt.date(2026, 11, 20)


def _fake_uscc(seed: int, region: str) -> str:
    """A checksum-valid code for demo enterprises (not the real companies' codes)."""
    body = f"91{region}{seed:08d}0"  # 2 + 6 + 9 = 17 characters before the check digit
    return body + uscc_check_char(body)


def load_clusters(area: Area) -> dict[str, Cluster]:
    clusters = {}
    for name, bureau in CLUSTERS:
        cluster = Cluster.objects.filter(area=area, name=name).first()
        if cluster is None:
            cluster = Cluster.objects.create(
                area=area, name=name, sub_bureau=Unit.objects.get(area=area, name=bureau)
            )
            core_services.audit_record(acting_user=None, action="create", instance=cluster)
        clusters[name] = cluster
    return clusters


def load_enterprises(area: Area, clusters: dict[str, Cluster]) -> dict[str, Enterprise]:
    found = {}
    for i, (name, cluster, leading, industry, capital, staff, tags, desc) in enumerate(ENTERPRISES):
        enterprise = Enterprise.objects.filter(name=name).first()
        if enterprise is None:
            enterprise = services.enterprise_save(
                acting_user=None,
                enterprise=Enterprise(
                    area=area,
                    name=name,
                    uscc=_fake_uscc(i + 1, YICHENG),
                    region_code=YICHENG,
                    industry_code=industry,
                    registered_capital=Decimal(capital),
                    employees=staff,
                    founded_on=dt.date(2000 + i, 3, 1),
                    tags=tags,
                    is_leading=leading,
                    cluster=clusters.get(cluster or ""),
                    description=desc,
                ),
            )
        found[name] = enterprise
    return found


def _users() -> dict[str, User]:
    for username, name, title, unit, roles in EXTRA_USERS:
        if not User.objects.filter(username=username).exists():
            unit_obj = Unit.objects.get(area__code=YICHENG, name=unit)
            user = core_services.user_save(
                acting_user=None,
                password=DEMO_PASSWORD,
                user=User(
                    username=username,
                    full_name=name,
                    title=title,
                    area=unit_obj.area,
                    unit=unit_obj,
                ),
            )
            core_services.user_set_roles(acting_user=None, user=user, roles=roles)
    return {u.username: u for u in User.objects.filter(area__code=YICHENG)}


def person_of(user: User) -> Person:
    """The Person of a demo account: the one linked to it, else made now (rank by role)."""
    found = Person.objects.filter(user=user).first()
    if found is not None:
        return found
    codes = set(user.roles.values_list("code", flat=True))
    rank = next((rank for role, rank in RANK_OF_ROLE if role in codes), PersonRank.OTHER)
    assert user.area is not None  # demo accounts belong to an area
    return Person.objects.create(
        area=user.area,
        name=user.full_name or user.username,
        post=user.title,
        rank=rank,
        unit=user.unit,
        user=user,
    )


def _cadres(area: Area) -> dict[str, Person]:
    """The accountless cadres of ``CADRES``, by name (made once)."""
    found = {}
    for name, post, rank, unit in CADRES:
        person = Person.objects.filter(area=area, name=name, user__isnull=True).first()
        if person is None:
            person = Person.objects.create(
                area=area,
                name=name,
                post=post,
                rank=rank,
                unit=Unit.objects.get(area=area, name=unit),
            )
        found[name] = person
    return found


def _walk(project: Project, final: str, rng: random.Random, start: dt.date, recorder: User) -> None:
    """Move a new project along the main line to ``final`` with plausible dates."""
    when = start
    target = final if final in MAIN_STAGES else MAIN_STAGES[rng.randint(1, 3)]
    for stage in MAIN_STAGES[1 : MAIN_STAGES.index(target) + 1]:
        when = min(when + dt.timedelta(days=rng.randint(20, 75)), LAST_DAY)
        extra = {}
        if stage == Stage.SIGNED:
            extra = {"contract_date": when, "contracted_amount": project.total_investment}
        if stage == Stage.CONSTRUCTION:
            extra = {"start_date": when}
        services.project_transition(
            acting_user=recorder,
            project=project,
            to_stage=stage,
            event_date=when,
            note="按计划推进",
            **extra,
        )
    if final in (Stage.PAUSED, Stage.TERMINATED):
        when = min(when + dt.timedelta(days=rng.randint(20, 60)), LAST_DAY)
        reason = (
            "投资方资金链紧张，暂缓推进" if final == Stage.PAUSED else "投资方战略调整，项目终止"
        )
        services.project_transition(
            acting_user=recorder, project=project, to_stage=final, event_date=when, reason=reason
        )


def _activities(
    project: Project, people: list[User], rng: random.Random, recorder: User, busy: bool
) -> None:
    kinds = list(ActivityKind.values)
    count = rng.randint(2, 4) if busy else rng.randint(0, 1)
    for _ in range(count):
        day = LAST_DAY - dt.timedelta(days=rng.randint(0, 50 if busy else 300))
        services.activity_create(
            acting_user=recorder,
            area=project.area,
            project=project,
            kind=rng.choice(kinds),
            date=day,
            days=Decimal(rng.choice([1, 1, 1, 2, 3])),
            people=rng.sample(people, 2),
            region=rng.choice(["上海", "深圳", "苏州", "北京", "天津", "郑州", "驻马店"]),
            outcome="双方就投资规模、用地和配套条件深入交流",
            next_step="提交项目可行性研究报告",
            next_due=LAST_DAY + dt.timedelta(days=30),
        )


@transaction.atomic
def load_demo() -> None:
    area = Area.objects.get(code=YICHENG)
    clusters = load_clusters(area)
    enterprises = load_enterprises(area, clusters)
    users = _users()
    people = {name: person_of(u) for name, u in users.items() if not u.has_role("investor")}
    cadres = _cadres(area)
    leaders = [users["yc_leader"], users["yc_leader2"]]  # their activities (accounts)
    trackers = [users["yc_staff"], users["yc_tracker1"], users["yc_tracker2"]]
    # 牵头: the accountless 副区长 and 处级 cadre take turns with the district leaders
    lead = [people["yc_leader"], cadres["张卫东"], people["yc_leader2"], cadres["马俊峰"]]
    chiefs = [people["yc_chief"]]
    sub_chiefs = [people["yc_subchief"], people["yc_subchief2"]]
    tracking = [people["yc_staff"], people["yc_tracker1"], people["yc_tracker2"]]
    units = list(Unit.objects.filter(area=area, kind__in=["bureau", "party_gov"]))
    rng = random.Random(2014)  # noqa: S311 - repeatable demo data, not security
    recorder = users["yc_staff"]
    for i, (name, investor, cluster, final, total, _level) in enumerate(PROJECTS):
        if Project.objects.filter(area=area, name=name).exists():
            continue
        complete_chain = i % 3 != 2
        region = REGIONS[i % len(REGIONS)]
        project = services.project_create(
            acting_user=recorder,
            area=area,
            name=name,
            code=f"YC-{2025 + i // 30}-{i + 1:03d}",
            event_date=START + dt.timedelta(days=9 * i),
            investor=enterprises.get(investor),
            investor_name="" if investor in enterprises else investor,
            cluster=clusters.get(cluster or ""),
            sub_bureau=clusters[cluster].sub_bureau if cluster else None,
            source_region=region,
            source_country="德国" if region == KeyRegion.OVERSEAS else "",
            method=METHODS[i % len(METHODS)],
            total_investment=Decimal(total),
            foreign_capital=Decimal(total // 20 if region == KeyRegion.OVERSEAS else 0),
            out_of_city_capital=Decimal(total * 8 // 10 if region != KeyRegion.LOCAL else 0),
            land_area=Decimal(total // 230) if total < 500000 else Decimal(800),
            land_parcel="驻马店装备产业集聚区" if cluster else "",
            lead_cadre=lead[i % len(lead)],
            responsible_chief=chiefs[0] if complete_chain else None,
            frontline_sub_chief=sub_chiefs[i % 2],
            trackers=tracking[:2] if complete_chain else tracking[:1],
            cooperating_units=units[:3] if complete_chain else [],
        )
        _walk(project, final, rng, START + dt.timedelta(days=9 * i), recorder)
        _activities(project, [*leaders, *trackers], rng, recorder, busy=i % 4 != 3)
    _investor_account(enterprises["中集华骏车辆有限公司"])


def _investor_account(enterprise: Enterprise) -> None:
    investor = User.objects.filter(username="yc_investor").first()
    if investor is not None and not InvestorAccount.objects.filter(user=investor).exists():
        account = InvestorAccount.objects.create(user=investor, enterprise=enterprise)
        core_services.audit_record(
            acting_user=None,
            action="create",
            instance=account,
            area=enterprise.area,
            object_repr=f"{investor} → {enterprise}",
        )
