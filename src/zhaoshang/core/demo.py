"""Demo data of the core app, from the seed article (DOMAIN.md §1).

Henan → Zhumadian → its ten counties/districts (real GB/T 2260 codes), the
equipment zone under Yicheng, Yicheng's units as the article names them, and
one user per role plus a city user and a sibling-county user for leak checks,
and a few district cadres who have no account (人员库 only).

Idempotent: rows are looked up by natural key and only missing ones are
created (through the services, so they are audited); a second run writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from . import services
from .choices import AreaLevel, PersonRank, RoleCode, UnitKind
from .models import Area, Person, Unit, User

DEMO_PASSWORD = "Zhaoshang@2026"  # noqa: S105 - public demo login, printed by `make run`

PROVINCE = ("410000", "河南省")
CITY = ("411700", "驻马店市")
COUNTIES = [
    ("411702", "驿城区"),
    ("411721", "西平县"),
    ("411722", "上蔡县"),
    ("411723", "平舆县"),
    ("411724", "正阳县"),
    ("411725", "确山县"),
    ("411726", "泌阳县"),
    ("411727", "汝南县"),
    ("411728", "遂平县"),
    ("411729", "新蔡县"),
]
YICHENG = "411702"
XIPING = "411721"
# Nine digits: a township-level statistical code under Yicheng (5xx = 类似乡级单位).
ZONE = ("411702500", "驻马店装备产业集聚区")

COMMERCE_BUREAU = "驿城区商务局"
SUB_BUREAUS = [
    "新能源汽车装备专业招商分局",
    "专用车运输装备专业招商局",
    "农业工程机械装备专业招商分局",
    "电力电缆电器装备专业招商分局",
    "电商现代物流专业招商分局",
]
SUPERVISION_OFFICES = ["区委督查室", "区政府目标督查室", "区纪委效能监察室", "区委组织部干部监督室"]

# (area code, unit name, kind, parent unit name)
UNITS: list[tuple[str, str, str, str | None]] = [
    (YICHENG, "中共驿城区委", UnitKind.PARTY_GOVERNMENT, None),
    (YICHENG, "驿城区人民政府", UnitKind.PARTY_GOVERNMENT, None),
    (YICHENG, COMMERCE_BUREAU, UnitKind.BUREAU, None),
    *[(YICHENG, name, UnitKind.SUB_BUREAU, COMMERCE_BUREAU) for name in SUB_BUREAUS],
    (YICHENG, "驿城区驻外招商办事处", UnitKind.OUTSIDE_OFFICE, COMMERCE_BUREAU),
    *[(YICHENG, name, UnitKind.SUPERVISION, None) for name in SUPERVISION_OFFICES],
    (ZONE[0], "驻马店装备产业集聚区管理委员会", UnitKind.ZONE_COMMITTEE, None),
    (CITY[0], "驻马店市人民政府", UnitKind.PARTY_GOVERNMENT, None),
    (CITY[0], "驻马店市商务局", UnitKind.BUREAU, None),
    (XIPING, "西平县商务局", UnitKind.BUREAU, None),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    title: str
    area: str
    unit: str | None
    roles: tuple[str, ...]
    note: str


USERS = [
    DemoUser(
        "yc_admin",
        "赵文静",
        "系统管理员",
        YICHENG,
        "驿城区人民政府",
        (RoleCode.ADMIN,),
        "驿城区管理员（首次登录需绑定动态口令）",
    ),
    DemoUser(
        "yc_leader",
        "陈志远",
        "副区长",
        YICHENG,
        "驿城区人民政府",
        (RoleCode.LEADER,),
        "区级领导（首次登录需绑定动态口令）",
    ),
    DemoUser(
        "yc_chief", "刘国强", "局长", YICHENG, COMMERCE_BUREAU, (RoleCode.CHIEF,), "商务局局长"
    ),
    DemoUser(
        "yc_subchief",
        "孙海涛",
        "分局长",
        YICHENG,
        SUB_BUREAUS[0],
        (RoleCode.SUB_CHIEF,),
        "新能源汽车装备专业招商分局分局长",
    ),
    DemoUser(
        "yc_staff", "周晓燕", "招商专员", YICHENG, SUB_BUREAUS[0], (RoleCode.STAFF,), "招商专员"
    ),
    DemoUser(
        "yc_supervisor",
        "吴立新",
        "督查专员",
        YICHENG,
        SUPERVISION_OFFICES[0],
        (RoleCode.SUPERVISOR,),
        "区委督查室",
    ),
    DemoUser("yc_viewer", "郑丽", "科员", YICHENG, COMMERCE_BUREAU, (RoleCode.VIEWER,), "只读用户"),
    DemoUser(
        "yc_investor",
        "钱多多",
        "项目负责人",
        YICHENG,
        None,
        (RoleCode.INVESTOR,),
        "投资者（只看本企业数据）",
    ),
    DemoUser(
        "zmd_city",
        "马建军",
        "市商务局局长",
        CITY[0],
        "驻马店市商务局",
        (RoleCode.CHIEF, RoleCode.SUPERVISOR),
        "市级用户（可看全市各县区）",
    ),
    DemoUser(
        "xp_staff",
        "黄磊",
        "招商专员",
        XIPING,
        "西平县商务局",
        (RoleCode.STAFF,),
        "西平县用户（看不到驿城区）",
    ),
]


# District cadres with no login account (人员库 only): the ledgers name them on chains.
# (name, post, rank, unit)
CADRES: list[tuple[str, str, str, str]] = [
    ("王建华", "区委书记", PersonRank.DISTRICT_LEADER, "中共驿城区委"),
    ("李明辉", "副区长", PersonRank.DISTRICT_LEADER, "驿城区人民政府"),
    ("张红梅", "副区长", PersonRank.DISTRICT_LEADER, "驿城区人民政府"),
    ("杨振东", "区商务局副局长", PersonRank.DIVISION, COMMERCE_BUREAU),
]


def _area(code: str, name: str, level: str, parent: Area | None) -> Area:
    existing = Area.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return services.area_create(acting_user=None, code=code, name=name, level=level, parent=parent)


def load_areas() -> dict[str, Area]:
    province = _area(*PROVINCE, AreaLevel.PROVINCE, None)
    city = _area(*CITY, AreaLevel.CITY, province)
    areas = {province.code: province, city.code: city}
    for code, name in COUNTIES:
        areas[code] = _area(code, name, AreaLevel.COUNTY, city)
    areas[ZONE[0]] = _area(*ZONE, AreaLevel.ZONE, areas[YICHENG])
    return areas


def load_units(areas: dict[str, Area]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, kind, parent in UNITS:
        unit = Unit.objects.filter(area=areas[code], name=name).first()
        if unit is None:
            unit = services.unit_create(
                acting_user=None,
                name=name,
                kind=kind,
                area=areas[code],
                parent=units[parent] if parent else None,
            )
        units[name] = unit
    return units


def load_users(areas: dict[str, Area], units: dict[str, Unit]) -> list[User]:
    users = []
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = services.user_save(
                acting_user=None,
                user=User(
                    username=spec.username,
                    full_name=spec.full_name,
                    title=spec.title,
                    area=areas[spec.area],
                    unit=units[spec.unit] if spec.unit else None,
                ),
                password=DEMO_PASSWORD,
            )
            services.user_set_roles(acting_user=None, user=user, roles=spec.roles)
        users.append(user)
    return users


def load_cadres(areas: dict[str, Area], units: dict[str, Unit]) -> list[Person]:
    """Yicheng's cadres without an account, found by name and post (a second run adds none)."""
    cadres = []
    for name, post, rank, unit in CADRES:
        person = Person.objects.filter(area=areas[YICHENG], name=name, post=post).first()
        if person is None:
            person = services.person_create(
                acting_user=None,
                area=areas[YICHENG],
                name=name,
                post=post,
                rank=rank,
                unit=units[unit],
            )
        cadres.append(person)
    return cadres


@transaction.atomic
def load_demo() -> list[User]:
    """Load (or complete) the demo; returns the demo users in display order."""
    areas = load_areas()
    units = load_units(areas)
    users = load_users(areas, units)
    load_cadres(areas, units)
    return users
