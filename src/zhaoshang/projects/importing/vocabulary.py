"""What ledger columns and values are called, and the area's names resolved to rows."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from zhaoshang.core.choices import PersonRank
from zhaoshang.core.models import Area, Person, Unit
from zhaoshang.imports.cells import (
    CellError,
    ChoiceMap,
    brief_list,
    choice_key,
    to_line,
)
from zhaoshang.imports.reading import ColumnSpec, TableSpec

from ..choices import CHAIN_RANKS, KeyLevel, KeyRegion, Method, Stage
from ..ledger import KEY_LEVEL_WORDS, LEDGER_COLUMNS, METHOD_WORDS, REGION_WORDS, STAGE_WORDS
from ..models import Cluster, Enterprise
from ..services import rank_message

# --- what the columns are called ------------------------------------------------

#: synonyms real ledgers use, besides the header our own export writes (LEDGER_COLUMNS)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("项目编号", "项目代码", "编号", "项目编码"),
    "name": ("项目名称", "项目名", "项目全称"),
    "investor": (
        "投资主体",
        "投资方",
        "签约企业",
        "投资企业",
        "投资单位",
        "投资商",
        "客商",
        "客商名称",
        "签约主体",
        "建设单位",
        "项目单位",
        "项目业主",
    ),
    "cluster": ("所属产业集群", "产业集群", "所属产业", "产业", "产业类别", "产业领域", "所属集群"),
    "source_region": ("来源地区", "来源地", "客商来源地", "投资方来源地", "客商来源", "来源"),
    "method": ("招商方式", "引进方式", "招商途径"),
    "total_investment": ("总投资", "计划总投资", "项目总投资", "投资总额", "总投资额"),
    "foreign_capital": ("利用外资", "外资", "利用外资额", "合同外资", "实际利用外资"),
    "out_of_city_capital": ("市外资金", "引进市外资金", "市外资金额", "到位市外资金"),
    "land_area": ("用地面积", "用地", "占地面积", "用地规模", "占地"),
    "stage": ("项目进展", "所处阶段", "当前阶段", "项目阶段", "项目状态", "进展阶段", "阶段"),
    "contract_date": ("签约日期", "签约时间"),
    "contracted_amount": (
        "签约金额",
        "合同金额",
        "签约额",
        "协议投资额",
        "合同投资额",
        "签约投资额",
    ),
    "start_date": ("开工日期", "开工时间", "实际开工时间"),
    "production_date": ("投产日期", "投产时间", "竣工投产时间", "实际投产时间"),
    "key_level": ("重点项目级别", "重点项目", "项目级别", "重点级别", "是否重点项目"),
    "sub_bureau": ("责任单位", "责任分局", "牵头单位", "专业招商分局", "责任部门", "承办单位"),
    "lead_cadre": ("牵头领导", "分包领导", "包联领导", "联系领导", "牵头县级领导", "牵头区级领导"),
    "responsible_chief": ("主抓局长", "主抓领导", "主抓负责人", "责任局长"),
    "frontline_sub_chief": ("带队分局长", "带队领导", "前线带队", "主攻分局长"),
    "land_parcel": ("项目地块", "地块", "项目选址", "建设地点", "选址", "落地地块", "建设地址"),
    "notes": ("备注", "说明", "备注说明"),
    "area": ("所属区域", "所在区域", "所属园区", "所属区县"),
}
UNITS = {
    "total_investment": "cny",
    "contracted_amount": "cny",
    "out_of_city_capital": "cny",
    "foreign_capital": "usd",
    "land_area": "land",
}
COLUMNS: tuple[ColumnSpec, ...] = tuple(
    ColumnSpec(
        key=column.key,
        headers=(column.header, *SYNONYMS.get(column.key, ())),
        units=UNITS.get(column.key, ""),
    )
    for column in LEDGER_COLUMNS
)
SPEC = TableSpec(columns=COLUMNS, required=("name",))
TITLES = {column.key: column.header for column in LEDGER_COLUMNS}

# --- what the values are called -------------------------------------------------

#: GB/T 2260 province codes, and the key region a province belongs to
PROVINCES: dict[str, tuple[str, str]] = {
    "北京": ("110000", KeyRegion.JINGJINJI),
    "天津": ("120000", KeyRegion.JINGJINJI),
    "河北": ("130000", KeyRegion.JINGJINJI),
    "山西": ("140000", ""),
    "内蒙古": ("150000", ""),
    "辽宁": ("210000", KeyRegion.JINGJINJI),
    "吉林": ("220000", ""),
    "黑龙江": ("230000", ""),
    "上海": ("310000", KeyRegion.YANGTZE),
    "江苏": ("320000", KeyRegion.YANGTZE),
    "浙江": ("330000", KeyRegion.YANGTZE),
    "安徽": ("340000", KeyRegion.YANGTZE),
    "福建": ("350000", ""),
    "江西": ("360000", ""),
    "山东": ("370000", KeyRegion.JINGJINJI),
    "河南": ("410000", ""),
    "湖北": ("420000", ""),
    "湖南": ("430000", ""),
    "广东": ("440000", KeyRegion.PEARL),
    "广西": ("450000", ""),
    "海南": ("460000", ""),
    "重庆": ("500000", ""),
    "四川": ("510000", ""),
    "贵州": ("520000", ""),
    "云南": ("530000", ""),
    "西藏": ("540000", ""),
    "陕西": ("610000", ""),
    "甘肃": ("620000", ""),
    "青海": ("630000", ""),
    "宁夏": ("640000", ""),
    "新疆": ("650000", ""),
}
#: outside the mainland: counted as 境外 (as 外资 statistics do), the place kept as the country
ABROAD = (
    "香港",
    "澳门",
    "台湾",
    "美国",
    "日本",
    "韩国",
    "德国",
    "英国",
    "法国",
    "意大利",
    "荷兰",
    "瑞士",
    "瑞典",
    "加拿大",
    "澳大利亚",
    "新加坡",
    "马来西亚",
    "泰国",
    "以色列",
    "俄罗斯",
)
CLUSTER_SUFFIXES = ("产业集群", "集群", "产业")
#: generic endings of a unit's name, longest first: an abbreviation (“新能源汽车分局”) names the
#: unit whose name contains what is left (“新能源汽车” → 新能源汽车装备专业招商分局)
UNIT_SUFFIXES = (
    "专业招商分局",
    "专业招商局",
    "招商分局",
    "招商局",
    "办事处",
    "办公室",
    "分局",
    "局",
    "办",
    "室",
)
#: the stage's own date, used as the real-world date of the stage event when it is known
STAGE_DATE_FIELD: dict[str, str] = {
    Stage.SIGNED: "contract_date",
    Stage.CONSTRUCTION: "start_date",
    Stage.PRODUCTION: "production_date",
}
MONEY_DEFAULT_ZERO = ("total_investment", "foreign_capital", "out_of_city_capital")
ZERO = Decimal("0.0000")  # a blank amount, as the database stores it
#: project fields whose model validators run on every imported value
VALIDATED_FIELDS = (
    "code",
    "name",
    "investor_name",
    "source_country",
    "total_investment",
    "foreign_capital",
    "out_of_city_capital",
    "land_area",
    "contracted_amount",
    "land_parcel",
)
#: columns whose values repeat row after row: coerced once per distinct text (checks.Remembered)
MEMOIZED = frozenset(
    {
        "stage",
        "method",
        "key_level",
        "cluster",
        "sub_bureau",
        "lead_cadre",
        "responsible_chief",
        "frontline_sub_chief",
        "source_region",
        "investor",  # a few thousand investors over 100,000 rows
        "land_parcel",  # a zone's parcels recur; unique texts just stop being remembered
        "notes",  # mostly blank
    }
)
#: the chain's one-person slots a ledger may name (a Person each: ``Lookups.person``)
PERSON_SLOTS = ("lead_cadre", "responsible_chief", "frontline_sub_chief")
WRITE_CHUNK = 2000
#: the longest name or post of a Person (``core.Person.name``/``post``)
NAME_MAX = 64
MATCH_CHUNK = 500
PROGRESS_EVERY = 1000


def _labels(choices: Any, value: str) -> list[str]:
    """A choice's label in Chinese and English, whatever the active language."""
    label = choices(value).label
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return [zh, en, value]


def _choice_map(choices: Any, words: dict[str, tuple[str, ...]]) -> ChoiceMap:
    return ChoiceMap(
        {value: [*words.get(value, ()), *_labels(choices, value)] for value in choices.values},
        shown_values=[
            words[v][0] if words.get(v) else str(choices(v).label) for v in choices.values
        ],
    )


def stage_map() -> ChoiceMap:
    return _choice_map(Stage, STAGE_WORDS)


def stage_in_heading(heading: str) -> str | None:
    """The stage a section heading names (“一、签约项目” → signed), if any."""
    words = sorted(
        ((word, stage) for stage, ws in STAGE_WORDS.items() for word in ws),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    for word, stage in words:
        if word in heading:
            return stage
    return None


def name_key(name: str) -> str:
    """How names are compared: without any whitespace, half-width, lower case."""
    return choice_key(name)


def unit_stem(key: str) -> str:
    """A unit name's key without its generic ending, if at least two characters remain."""
    for suffix in UNIT_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            return key[: -len(suffix)]
    return key


def _cluster_key(name: str) -> str:
    key = choice_key(name)
    for suffix in CLUSTER_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


# --- the area's reference data, read once ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Named:
    """A chain cell only the row's project can settle (``Lookups.settle``): several
    active Persons bear the name, an inactive one does, or the one who does is not of
    the column's rank (they may stay where they are, not be put anywhere new)."""

    text: str
    name: str
    slot: str
    active: tuple[Person, ...]
    former: tuple[Person, ...]


#: a post that makes a 牵头 the ledger names a district leader (区级领导), else 处级干部
LEADER_POST = re.compile(r"[区县]长|书记|常委|(人大|政协).*主任")
#: “陈志远（副区长）”, full-width or ASCII brackets: the name and the post that tells it apart
BRACKETED = re.compile(r"^(?P<name>[^（(]+?)\s*[（(](?P<post>[^（()）]*)[)）]$")
#: the rank a chain column's unknown name is created with (``implied_rank``)
SLOT_RANK: dict[str, str] = {
    "responsible_chief": PersonRank.CHIEF,
    "frontline_sub_chief": PersonRank.SUB_CHIEF,
    "trackers": PersonRank.OFFICER,
}


def split_post(text: str) -> tuple[str, str]:
    """(name, post) of a chain cell: “陈志远（副区长）” → (陈志远, 副区长); no brackets: no post."""
    found = BRACKETED.match(text)
    if found is None:
        return text, ""
    return found["name"].strip(), found["post"].strip()


def implied_rank(slot: str, post: str) -> str:
    """The rank of a Person an import creates: what the column asks, the post deciding 牵头."""
    if slot == "lead_cadre":
        return PersonRank.DISTRICT_LEADER if LEADER_POST.search(post) else PersonRank.DIVISION
    return SLOT_RANK[slot]


def _unit_key(person: Person) -> str:
    return name_key(person.unit.name) if person.unit is not None else ""


def person_label(person: Person) -> str:
    """What tells a Person apart in a message: the post, else the unit, else the area."""
    return person.post or (person.unit.name if person.unit is not None else person.area.name)


class Lookups:
    """Clusters, units, people and enterprises of the area, so rows need no queries."""

    def __init__(self, area: Area) -> None:
        self.area = area
        self.clusters = {_cluster_key(c.name): c for c in Cluster.objects.filter(area=area)}
        self.cluster_names = sorted(c.name for c in self.clusters.values())
        self.units = {name_key(u.name): u for u in Unit.objects.filter(area=area)}
        self.unit_names = sorted(u.name for u in self.units.values())
        codes = [code for code in area.path.split("/") if code]
        self._read_persons(codes)
        #: Persons the file names who are not in the 人员库 yet: made once per column and
        #: name (unsaved until the write phase), whatever the number of rows naming them
        self.created: dict[tuple[str, str, str], Person] = {}
        enterprises: dict[str, int | None] = {}
        for pk, name in Enterprise.objects.filter(area=area).values_list("pk", "name"):
            key = name_key(name)
            enterprises[key] = None if key in enterprises else pk
        self.enterprises = enterprises
        self.province = codes[0] if codes else ""
        self.stages = stage_map()
        self.methods = _choice_map(Method, METHOD_WORDS)
        self.key_levels = _choice_map(KeyLevel, KEY_LEVEL_WORDS)
        self.regions = _choice_map(KeyRegion, REGION_WORDS)

    def _read_persons(self, codes: list[str]) -> None:
        """The Persons of the area and above, by name (and by name + post: “陈志远副区长”)."""
        people: dict[str, list[Person]] = defaultdict(list)
        joined: dict[str, list[Person]] = defaultdict(list)
        persons = Person.objects.filter(area__code__in=codes).select_related("area", "unit")
        for person in persons.order_by("-area__path", "pk"):  # the nearest area first
            people[name_key(person.name)].append(person)
            if person.post:
                joined[name_key(person.name + person.post)].append(person)
        self.people = dict(people)
        self.joined = dict(joined)

    def person(self, raw: Any, slot: str = "lead_cadre") -> Person | Named | None:
        """The Person a chain cell names: matched in the area and above (a bracketed post
        or unit tells namesakes apart), else a new one (``created``) of the column's rank."""
        text = to_line(raw)
        if not text:
            return None
        name, post = split_post(text)
        key = name_key(name)
        same = self.people.get(key, [])
        if not same and not post:
            same = self.joined.get(key, [])  # “陈志远副区长”: a name followed by its post
        if post and same:
            same = self._with_post(name, post, same)
        if not same:
            return self._new(slot, name, post)
        active = tuple(p for p in same if p.active)
        former = tuple(p for p in same if not p.active)
        if len(active) == 1 and not former and active[0].rank in CHAIN_RANKS[slot]:
            return active[0]
        return Named(text, name, slot, active, former)

    def _with_post(self, name: str, post: str, same: list[Person]) -> list[Person]:
        wanted = name_key(post)
        fits = [p for p in same if wanted in (name_key(p.post), _unit_key(p))]
        if not fits:
            raise CellError(
                _(
                    "Nobody called “%(name)s” in this area or above has the post or unit "
                    "“%(post)s”; known: %(choices)s."
                )
                % {
                    "name": name,
                    "post": post,
                    "choices": brief_list([f"{name}（{person_label(p)}）" for p in same]),
                }
            )
        return fits

    def _new(self, slot: str, name: str, post: str) -> Person:
        if len(name) > NAME_MAX or len(post) > NAME_MAX:
            raise CellError(_("A name or post is at most %(n)d characters long.") % {"n": NAME_MAX})
        key = (slot, name_key(name), name_key(post))
        found = self.created.get(key)
        if found is None:
            found = Person(area=self.area, name=name, post=post, rank=implied_rank(slot, post))
            self.created[key] = found
        return found

    def settle(self, named: Named, current: int | None) -> Person:
        """The Person a shared or former name means for a project whose slot holds
        ``current`` (a pk): that Person when the name is theirs (the row leaves the chain
        as it is), else the only active Person of that name."""
        for person in (*named.active, *named.former):
            if person.pk == current:
                return person
        if len(named.active) == 1:
            if named.active[0].rank not in CHAIN_RANKS[named.slot]:
                raise CellError(rank_message(named.slot))
            return named.active[0]
        if named.active:
            first = named.active[0]
            raise CellError(
                _(
                    "There are %(n)d people called “%(name)s” in this area and above "
                    "(%(posts)s); write it as “%(example)s”."
                )
                % {
                    "n": len(named.active),
                    "name": named.name,
                    "posts": "、".join(person_label(p) for p in named.active),
                    "example": f"{named.name}（{person_label(first)}）",
                }
            )
        raise CellError(
            _(
                "“%(value)s” is no longer active in the people register: they can only stay "
                "on the projects they already have."
            )
            % {"value": named.text}
        )

    def cluster(self, raw: Any) -> Cluster | None:
        text = to_line(raw)
        if not text:
            return None
        found = self.clusters.get(_cluster_key(text))
        if found is None:
            raise CellError(
                _("No industry cluster “%(value)s” in this area. Known clusters: %(choices)s.")
                % {"value": text, "choices": brief_list(self.cluster_names)}
            )
        return found

    def unit(self, raw: Any) -> Unit | None:
        text = to_line(raw)
        if not text:
            return None
        key = name_key(text)
        found = self.units.get(key)  # the full name (names compare as name_key) wins
        if found is not None:
            return found
        stem = unit_stem(key)  # “新能源汽车分局” → 新能源汽车, in 新能源汽车装备专业招商分局
        fits = [u for k, u in self.units.items() if stem in k] if len(stem) >= 2 else []
        if len(fits) == 1:
            return fits[0]
        if fits:
            raise CellError(
                _(
                    "“%(value)s” could be any of these units: %(choices)s. "
                    "Write the unit's full name."
                )
                % {"value": text, "choices": brief_list(sorted(u.name for u in fits))}
            )
        raise CellError(
            _("No unit “%(value)s” in this area. Known units: %(choices)s.")
            % {"value": text, "choices": brief_list(self.unit_names)}
        )

    def region(self, raw: Any) -> tuple[str, str | None, str | None]:
        """(key region, province code or None, country or None); None means “not said”."""
        text = to_line(raw)
        if not text:
            return "", None, None
        try:
            region = self.regions(text)
        except CellError:
            region = None
        if region is not None:
            return region, None, None
        plain = choice_key(text)
        for marker in ("境外", "国外", "海外"):
            plain = plain.removeprefix(marker).lstrip("-—:：·")
        for place in ABROAD:
            if plain.startswith(place):
                return KeyRegion.OVERSEAS, "", place
        for province, (code, key_region) in PROVINCES.items():
            if plain.startswith(province):
                if code == self.province:
                    return KeyRegion.LOCAL, code, ""
                return key_region or KeyRegion.OTHER_PROVINCE, code, ""
        raise CellError(
            _("Unknown source region “%(value)s”. Use %(choices)s, a province or a country.")
            % {"value": text, "choices": brief_list(self.regions.shown_values)}
        )

    def investor(self, raw: Any) -> tuple[int | None, str]:
        text = to_line(raw)
        return (self.enterprises.get(name_key(text)) if text else None), text
