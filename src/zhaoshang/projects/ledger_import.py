"""Import of the project ledger (招商项目台账) from Excel, all or nothing.

The file is read with the shared machinery of ``zhaoshang.imports`` (header
finding, unit suffixes, section headings, totals and notes rows, cell
coercion); this module knows what the columns mean for a ``Project``:

* header synonyms (``COLUMNS``) include every header of ``ledger.LEDGER_COLUMNS``,
  so an exported ledger imports back unchanged;
* stage words (在谈, 已签约, 在建, 已投产 …) and the Chinese names of every
  choice; a section heading naming a stage (“一、签约项目”) is the stage of the
  rows under it that leave 项目进展 blank;
* a row is matched to an existing project of the area by 项目编号 when it has
  one, else by project name; a matched project is updated only where a value
  differs (version bump, one audit event listing what changed), a new one is
  created with its first stage event and a create audit event;
* the rules are those of ``projects.services``: field validators of the
  model, ``gate_errors`` for the stage (签约 and later need 签约日期 and 签约金额,
  开工 and later need 开工日期), ``transition_error`` for a stage move of an
  existing project, ``_check_chain`` for the responsibility chain. When the
  file has no 签约金额 column, a signed project's contracted amount defaults
  to its total investment.

Rows are read and checked first, outside any transaction (so the job's
progress can be shown); then, if nothing is wrong, everything is written in
one transaction with ``bulk_create`` — new projects, their stage events and
their audit events — and the area's project count is re-checked through the
user's scope before committing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction, AuditResult
from zhaoshang.core.context import current_ip
from zhaoshang.core.models import Area, AuditEvent, Unit, User
from zhaoshang.core.selectors import areas_visible_to, scope_to_user
from zhaoshang.core.services import audit_record, snapshot
from zhaoshang.imports.cells import (
    CellError,
    ChoiceMap,
    brief_list,
    choice_key,
    shown,
    to_date,
    to_decimal,
    to_line,
    to_text,
)
from zhaoshang.imports.kinds import ImportOutcome, Progress, Template
from zhaoshang.imports.reading import UNIT_FAMILIES, ColumnSpec, SheetTable, TableSpec, open_tables
from zhaoshang.imports.safety import ImportFileError

from . import services
from .choices import MAIN_STAGES, KeyLevel, KeyRegion, Method, Stage, stage_rank
from .ledger import LEDGER_COLUMNS
from .models import Cluster, Enterprise, Project, StageEvent

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
    "land_parcel": ("项目地块", "地块", "项目选址", "建设地点", "选址", "落地地块", "建设地址"),
    "notes": ("备注", "说明", "备注说明"),
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

STAGE_WORDS: dict[str, tuple[str, ...]] = {
    Stage.LEAD: ("线索", "项目线索", "信息线索"),
    Stage.INTENTION: ("意向", "有意向", "意向项目", "初步意向"),
    Stage.NEGOTIATION: ("洽谈", "在谈", "洽谈中", "正在洽谈", "在谈项目", "洽谈项目", "商谈"),
    Stage.SIGNED: ("签约", "已签约", "签约项目", "已签订"),
    Stage.LANDED: ("落地", "已落地", "注册落地", "已注册"),
    Stage.CONSTRUCTION: (
        "开工",
        "在建",
        "已开工",
        "开工建设",
        "建设中",
        "在建项目",
        "续建",
        "新开工",
    ),
    Stage.PRODUCTION: ("投产", "已投产", "竣工投产", "建成投产", "投产项目", "竣工"),
    Stage.PAUSED: ("暂缓", "暂停", "搁置"),
    Stage.TERMINATED: ("终止", "已终止", "取消", "放弃"),
}
REGION_WORDS: dict[str, tuple[str, ...]] = {
    KeyRegion.YANGTZE: ("长三角", "长三角地区", "长江三角洲"),
    KeyRegion.PEARL: ("珠三角", "珠三角地区", "珠江三角洲", "粤港澳大湾区", "大湾区"),
    KeyRegion.JINGJINJI: ("京津冀/环渤海", "京津冀", "环渤海", "京津冀地区", "环渤海地区"),
    KeyRegion.OTHER_PROVINCE: ("外省", "省外", "其他省份", "其他省"),
    KeyRegion.LOCAL: ("省内", "本省"),
    KeyRegion.OVERSEAS: ("境外", "国外", "海外"),
}
METHOD_WORDS: dict[str, tuple[str, ...]] = {
    Method.BY_BUSINESS: ("以商招商",),
    Method.CHAIN: ("产业链招商", "链式招商"),
    Method.RESIDENT: ("驻地招商", "驻外招商"),
    Method.DOOR_TO_DOOR: ("上门招商",),
    Method.POINT_TO_POINT: ("点对点招商",),
    Method.LEADER_LED: ("领导带头招商", "领导招商"),
    Method.EXHIBITION: ("展会招商", "会展招商", "节会招商"),
    Method.OTHER: ("其他", "其它"),
}
KEY_LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    KeyLevel.NONE: ("否", "非重点", "一般", "一般项目", "不是"),
    KeyLevel.DISTRICT: ("区重点", "区级重点", "区级", "县重点", "县级重点", "县级", "区重点项目"),
    KeyLevel.CITY: ("市重点", "市级重点", "市级", "市重点项目"),
    KeyLevel.PROVINCE: ("省重点", "省级重点", "省级", "省重点项目"),
}
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
#: the stage's own date, used as the real-world date of the stage event when it is known
STAGE_DATE_FIELD: dict[str, str] = {
    Stage.SIGNED: "contract_date",
    Stage.CONSTRUCTION: "start_date",
    Stage.PRODUCTION: "production_date",
}
MONEY_DEFAULT_ZERO = ("total_investment", "foreign_capital", "out_of_city_capital")
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
WRITE_CHUNK = 2000
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


def _cluster_key(name: str) -> str:
    key = choice_key(name)
    for suffix in CLUSTER_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


# --- the area's reference data, read once ---------------------------------------------


class Lookups:
    """Clusters, units, people and enterprises of the area, so rows need no queries."""

    def __init__(self, area: Area) -> None:
        self.area = area
        self.clusters = {_cluster_key(c.name): c for c in Cluster.objects.filter(area=area)}
        self.cluster_names = sorted(c.name for c in self.clusters.values())
        self.units = {name_key(u.name): u for u in Unit.objects.filter(area=area)}
        self.unit_names = sorted(u.name for u in self.units.values())
        codes = [code for code in area.path.split("/") if code]
        people: dict[str, list[User]] = defaultdict(list)
        for person in User.objects.filter(area__code__in=codes, is_active=True).select_related(
            "area"
        ):
            if person.full_name:
                people[name_key(person.full_name)].append(person)
        self.people = dict(people)
        self.people_names = sorted({p[0].full_name for p in self.people.values()})
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
        found = self.units.get(key)
        if found is None and len(key) >= 2:
            # “新能源汽车分局” for “新能源汽车装备专业招商分局”: accepted when only one unit fits
            fits = [u for k, u in self.units.items() if key in k]
            found = fits[0] if len(fits) == 1 else None
        if found is None:
            raise CellError(
                _("No unit “%(value)s” in this area. Known units: %(choices)s.")
                % {"value": text, "choices": brief_list(self.unit_names)}
            )
        return found

    def person(self, raw: Any) -> User | None:
        text = to_line(raw)
        if not text:
            return None
        plain = name_key(re.sub(r"[（(].*?[)）]", "", text))
        matches = self.people.get(plain, [])
        if not matches:
            # “陈志远副区长”: a known name followed by that person's title
            matches = [
                p
                for ps in self.people.values()
                for p in ps
                if p.title and plain == name_key(p.full_name + p.title)
            ]
        if len(matches) > 1:
            raise CellError(
                _("%(n)d people are called “%(value)s”; the ledger cannot tell which one is meant.")
                % {"n": len(matches), "value": text}
            )
        if not matches:
            raise CellError(
                _(
                    "Nobody called “%(value)s” works in this area or above it. "
                    "Known names: %(choices)s."
                )
                % {"value": text, "choices": brief_list(self.people_names)}
            )
        return matches[0]

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


# --- reading rows -----------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One checked ledger row: project values by field, and what it is matched to."""

    number: int
    sheet: str
    values: dict[str, Any]
    stage: str | None
    project_id: int | None = None
    investor: tuple[int | None, str] | None = None
    region: tuple[str, str | None, str | None] | None = None


@dataclass(slots=True)
class Change:
    """An existing project a row changes: the new values, the stored ones, a stage move."""

    row: Row
    project: Project
    changes: dict[str, Any]
    stored: dict[str, Any]
    to_stage: str | None
    event_date: dt.date | None
    reason: str


@dataclass
class Plan:
    """What the import will write, worked out before the transaction starts."""

    new: list[Row] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    defaulted_amounts: int = 0


class LedgerReader:
    """Reads every sheet of a ledger into ``Row``s, reporting each bad cell."""

    def __init__(self, area: Area, outcome: ImportOutcome, progress: Progress) -> None:
        self.area = area
        self.outcome = outcome
        self.errors = outcome.errors
        self.progress = progress
        self.lookups = Lookups(area)
        self.present: set[str] = set()  # ledger keys some sheet has a column for
        self.headers: dict[str, str] = {}
        existing = Project.objects.filter(area=area).values_list("pk", "code", "name")
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.codeless_by_name: dict[str, list[int]] = defaultdict(list)
        for pk, code, name in existing:
            key = name_key(name)
            self.by_name[key].append(pk)
            if code:
                self.by_code[code] = pk
            else:
                self.codeless_by_name[key].append(pk)
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[str, int] = {}
        self.claimed: dict[int, int] = {}
        self.validators = {name: _field(name).validators for name in VALIDATED_FIELDS}
        self.name_field = Project._meta.get_field("name")
        self.probe = Project(area=area)

    def header(self, key: str) -> str:
        return self.headers.get(key) or TITLES[key]

    def readers(self, table: SheetTable) -> list[tuple[int, str, str, Callable[[Any], Any]]]:
        """(column index, header as shown, key, coercer) for each column found."""
        look = self.lookups
        result: list[tuple[int, str, str, Callable[[Any], Any]]] = []
        for key, found in table.columns.items():
            self.present.add(key)
            self.headers.setdefault(key, found.header)
            coerce: Callable[[Any], Any]
            if key in UNITS:
                coerce = _decimal_reader(found.factor, UNIT_FAMILIES[UNITS[key]])
            elif key in ("contract_date", "start_date", "production_date"):
                coerce = to_date
            elif key in ("code", "name", "land_parcel"):
                coerce = to_line
            elif key == "notes":
                coerce = _notes
            elif key == "stage":
                coerce = look.stages
            elif key == "method":
                coerce = look.methods
            elif key == "key_level":
                coerce = look.key_levels
            elif key == "cluster":
                coerce = look.cluster
            elif key == "sub_bureau":
                coerce = look.unit
            elif key == "lead_cadre":
                coerce = look.person
            elif key == "investor":
                coerce = look.investor
            elif key == "source_region":
                coerce = look.region
            else:  # pragma: no cover - every LEDGER_COLUMNS key is handled above
                coerce = to_text
            result.append((found.index, found.header, key, coerce))
        return result

    def read(self, path: Path, estimate: int) -> list[Row]:
        rows: list[Row] = []
        seen = 0
        for table in open_tables(path, SPEC):
            readers = self.readers(table)
            if table.unknown_headers:
                self.outcome.notes.append(
                    _("Sheet “%(sheet)s”: columns not imported: %(cols)s.")
                    % {"sheet": table.sheet, "cols": "、".join(table.unknown_headers)}
                )
            total = max(estimate, seen + table.height)
            headings: str | None = None
            section_stage: str | None = None
            for number, cells, section in table.data_rows():
                seen += 1
                if seen % PROGRESS_EVERY == 0:
                    self.progress(processed=seen, total=total)
                if section != headings:
                    headings = section
                    section_stage = _section_stage(section)
                row = self._row(table.sheet, number, cells, readers, section_stage)
                if row is not None:
                    rows.append(row)
        self.outcome.total_rows = seen
        self.progress(processed=seen, total=seen)
        return rows

    def _row(
        self,
        sheet: str,
        number: int,
        cells: list[Any],
        readers: list[tuple[int, str, str, Callable[[Any], Any]]],
        section_stage: str | None,
    ) -> Row | None:
        values: dict[str, Any] = {}
        row = Row(number, sheet, values, None)
        bad = False
        for index, header, key, coerce in readers:
            raw = cells[index] if index < len(cells) else ""
            try:
                value = coerce(raw)
            except CellError as exc:
                self.errors.add(number, header, str(exc), value=shown(raw), sheet=sheet)
                bad = True
                continue
            if key == "stage":
                row.stage = value
            elif key == "investor":
                row.investor = value
            elif key == "source_region":
                row.region = value
            elif key in ("method", "code") and not value:
                continue  # blank: keep what the project has (new ones get the default)
            elif key == "key_level":
                values[key] = value or KeyLevel.NONE
            else:
                values[key] = value
        if bad:
            return None
        name = values.get("name", "")
        if not name:
            self.errors.add(
                number, self.header("name"), _("The project name is empty."), sheet=sheet
            )
            return None
        if row.region is not None and row.region[2]:
            values["source_country"] = row.region[2]
        if row.investor is not None and row.investor[0] is None:
            values["investor_name"] = row.investor[1]
        if not self._validate(row):
            return None
        row.stage = row.stage or section_stage
        if not self._match(row):
            return None
        return row

    def _validate(self, row: Row) -> bool:
        ok = True
        for name, validators in self.validators.items():
            value = row.values.get(name)
            if value is None or value == "":
                continue
            for validator in validators:
                try:
                    validator(value)
                except ValidationError as exc:
                    column = "investor" if name == "investor_name" else name
                    column = "source_region" if name == "source_country" else column
                    self.errors.add(
                        row.number,
                        self.header(column),
                        " ".join(exc.messages),
                        value=shown(value),
                        sheet=row.sheet,
                    )
                    ok = False
                    break
        return ok

    def _match(self, row: Row) -> bool:
        """Find the existing project a row updates; refuse rows that collide with another."""
        code = row.values.get("code", "")
        key = name_key(row.values["name"])
        pid: int | None
        if code:
            if code in self.seen_codes:
                return self._duplicate(row, "code", self.seen_codes[code])
            self.seen_codes[code] = row.number
            pid = self.by_code.get(code)
            if pid is None:
                same_name = self.codeless_by_name.get(key, [])
                pid = same_name[0] if len(same_name) == 1 else None
        else:
            candidates = self.by_name.get(key, [])
            if len(candidates) > 1:
                self.errors.add(
                    row.number,
                    self.header("name"),
                    _(
                        "%(n)d projects of this area are called “%(name)s”; fill in 项目编号 "
                        "to say which one this row is."
                    )
                    % {"n": len(candidates), "name": row.values["name"]},
                    sheet=row.sheet,
                )
                return False
            pid = candidates[0] if candidates else None
            if pid is None:
                if key in self.seen_names:
                    return self._duplicate(row, "name", self.seen_names[key])
                self.seen_names[key] = row.number
        if pid is not None:
            if pid in self.claimed:
                return self._duplicate(row, "name", self.claimed[pid])
            self.claimed[pid] = row.number
        row.project_id = pid
        return True

    def _duplicate(self, row: Row, column: str, first: int) -> bool:
        self.errors.add(
            row.number,
            self.header(column),
            _("This project already appears in row %(row)d of the file.") % {"row": first},
            value=shown(row.values.get(column, "")),
            sheet=row.sheet,
        )
        return False


def _field(name: str) -> models.Field[Any, Any]:
    found = Project._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _decimal_reader(factor: Decimal, units: dict[str, Decimal]) -> Callable[[Any], Decimal | None]:
    def read(raw: Any) -> Decimal | None:
        value = to_decimal(raw, units=units)
        if value is None:
            return None
        if factor != 1:
            value = (value * factor).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        return value

    return read


def _notes(raw: Any) -> str:
    return to_text(raw).replace("\r\n", "\n").replace("\r", "\n")


def _section_stage(section: str) -> str | None:
    """The stage named by the innermost heading that names one."""
    for heading in reversed(section.split(" / ")):
        stage = stage_in_heading(heading)
        if stage:
            return stage
    return None


# --- planning: new rows, changed rows ---------------------------------------------------


class Planner:
    """Checks rows against the project rules and works out every write."""

    def __init__(self, reader: LedgerReader, acting_user: User | None) -> None:
        self.reader = reader
        self.errors = reader.errors
        self.area = reader.area
        self.acting_user = acting_user
        self.today = timezone.localdate()
        self.plan = Plan()
        self.default_amount = "contracted_amount" not in reader.present

    def header(self, key: str) -> str:
        return self.reader.header(key)

    def gate_column(self, field_name: str) -> str:
        if field_name == "contracted_amount" and self.default_amount:
            return self.header("total_investment")
        if field_name == "reason":
            return self.header("notes")
        if field_name in TITLES:
            return self.header(field_name)
        return self.header("stage")

    def _gate(self, row: Row, project: Project, stage: str, reason: str) -> bool:
        problems = services.gate_errors(project, stage, reason=reason)
        try:
            services._check_chain(project)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                problems[field_name] = " ".join(messages)
        for field_name, message in problems.items():
            self.errors.add(row.number, self.gate_column(field_name), str(message), sheet=row.sheet)
        return not problems

    def new(self, row: Row) -> None:
        values = row.values
        stage = row.stage or Stage.LEAD
        for name in MONEY_DEFAULT_ZERO:
            if values.get(name) is None:
                values[name] = Decimal(0)
        if row.investor is not None:
            values["investor_id"] = row.investor[0]
            values.setdefault("investor_name", "")
        if row.region is not None:
            region, province, country = row.region
            values["source_region"] = region
            values["source_province"] = province or ""
            values["source_country"] = country or ""
        if (
            self.default_amount
            and _signed_or_later(stage)
            and not values.get("contracted_amount")
            and values.get("total_investment")
        ):
            values["contracted_amount"] = values["total_investment"]
            self.plan.defaulted_amounts += 1
        if stage not in MAIN_STAGES:
            self.errors.add(
                row.number,
                self.header("stage"),
                _(
                    "A new project cannot start as “%(stage)s”. Import it at the stage it "
                    "reached, then pause or terminate it in the system."
                )
                % {"stage": Stage(stage).label},
                sheet=row.sheet,
            )
            return
        probe = self.reader.probe
        probe.contract_date = values.get("contract_date")
        probe.contracted_amount = values.get("contracted_amount")
        probe.start_date = values.get("start_date")
        probe.cluster = values.get("cluster")
        probe.sub_bureau = values.get("sub_bureau")
        probe.lead_cadre = values.get("lead_cadre")
        if self._gate(row, probe, stage, reason="—"):
            row.stage = stage
            self.plan.new.append(row)

    def matched(self, rows: list[Row]) -> None:
        """Compare matched rows with their projects, a chunk of projects at a time."""
        for start in range(0, len(rows), MATCH_CHUNK):
            chunk = rows[start : start + MATCH_CHUNK]
            projects = (
                Project.objects.filter(pk__in=[r.project_id for r in chunk])
                .select_related(
                    "cluster",
                    "sub_bureau",
                    "lead_cadre__area",
                    "responsible_chief__area",
                    "frontline_sub_chief__area",
                )
                .in_bulk()
            )
            moving = [
                r.project_id
                for r in chunk
                if r.stage and r.project_id in projects and projects[r.project_id].stage != r.stage
            ]
            last_dates = dict(
                StageEvent.objects.filter(project_id__in=moving)
                .values("project_id")
                .annotate(last=Max("event_date"))
                .values_list("project_id", "last")
            )
            for row in chunk:
                assert row.project_id is not None
                project = projects[row.project_id]
                project.area = self.area
                self._compare(row, project, last_dates.get(project.pk))

    def _compare(self, row: Row, project: Project, last_event: dt.date | None) -> None:
        changes: dict[str, Any] = {}
        for name, value in row.values.items():
            if name in ("cluster", "sub_bureau", "lead_cadre"):
                if getattr(project, f"{name}_id") != (value.pk if value else None):
                    changes[name] = value
            elif value is None and name in MONEY_DEFAULT_ZERO:
                if getattr(project, name) != 0:
                    changes[name] = Decimal(0)
            elif getattr(project, name) != value:
                changes[name] = value
        if row.investor is not None:
            enterprise_id, text = row.investor
            changes.pop("investor_name", None)
            if enterprise_id is not None:
                if project.investor_id != enterprise_id:
                    changes["investor_id"] = enterprise_id
            elif project.investor_name != text:
                changes["investor_name"] = text
        if row.region is not None:
            region, province, country = row.region
            changes.pop("source_country", None)
            wanted = {"source_region": region}
            if province is not None or region != project.source_region:
                wanted["source_province"] = province or ""
            if country is not None or region != project.source_region:
                wanted["source_country"] = country or ""
            changes.update({k: v for k, v in wanted.items() if getattr(project, k) != v})
        to_stage = row.stage if row.stage and row.stage != project.stage else None
        target = to_stage or project.stage
        reason = str(row.values.get("notes") or "")
        if to_stage is not None:
            illegal = services.transition_error(project, to_stage, reason=reason)
            if illegal:
                self.errors.add(
                    row.number,
                    self.header("stage"),
                    illegal,
                    value=str(Stage(to_stage).label),
                    sheet=row.sheet,
                )
                return
        if (
            self.default_amount
            and _signed_or_later(target)
            and not changes.get("contracted_amount", project.contracted_amount)
        ):
            total = changes.get("total_investment", project.total_investment)
            if total:
                changes["contracted_amount"] = total
                self.plan.defaulted_amounts += 1
        if not changes and to_stage is None:
            self.plan.unchanged += 1
            return
        before = {name: getattr(project, name) for name in changes}
        for name, value in changes.items():
            setattr(project, name, value)
        gate_ok = target not in MAIN_STAGES or self._gate(
            row, project, target, reason=reason if to_stage else "—"
        )
        if not gate_ok:
            return
        when = self._event_date(to_stage, project, last_event) if to_stage else None
        self.plan.changed.append(Change(row, project, changes, before, to_stage, when, reason))

    def _event_date(self, stage: str, project: Project, previous: dt.date | None) -> dt.date:
        """The real-world date of a stage move: the stage's own date when known and past."""
        own = STAGE_DATE_FIELD.get(stage)
        when = getattr(project, own) if own else None
        if when is None or when > self.today:
            when = self.today
        if previous is not None and when < previous:
            when = previous
        return when

    def event_date_for_new(self, row: Row) -> dt.date:
        own = STAGE_DATE_FIELD.get(row.stage or "")
        when = row.values.get(own) if own else None
        return when if when is not None and when <= self.today else self.today


def _signed_or_later(stage: str) -> bool:
    return stage in MAIN_STAGES and stage_rank(stage) >= stage_rank(Stage.SIGNED)


# --- writing ---------------------------------------------------------------------------


class _Rollback(Exception):
    """Leaves the import's transaction without committing (dry run, or a late conflict)."""


def _audit_event(
    *, acting_user: User | None, area: Area, project: Project, now: dt.datetime
) -> AuditEvent:
    """The row ``core.services.audit_record`` writes for a create, built for ``bulk_create``."""
    return AuditEvent(
        at=now,
        user=acting_user,
        username=acting_user.get_username() if acting_user else "system",
        area=area,
        ip=current_ip.get(),
        action=AuditAction.CREATE,
        object_type=Project._meta.label_lower,
        object_id=str(project.pk),
        object_repr=str(project)[:200],
        before=None,
        after=snapshot(project),
        result=AuditResult.SUCCESS,
    )


class Writer:
    def __init__(
        self, planner: Planner, acting_user: User | None, file_name: str, progress: Progress
    ) -> None:
        self.planner = planner
        self.plan = planner.plan
        self.area = planner.area
        self.acting_user = acting_user
        self.file_name = file_name
        self.progress = progress
        self.errors = planner.errors

    def note(self, row: Row) -> str:
        return _("Imported from %(file)s, row %(row)d") % {
            "file": self.file_name,
            "row": row.number,
        }

    def write(self, started: dt.datetime) -> None:
        before_count = Project.objects.filter(area=self.area).count()
        self._check_no_collisions(started)
        total = len(self.plan.new) + len(self.plan.changed)
        self.progress(processed=0, total=total, phase="writing")
        self._create()
        self._update()
        visible = Project.objects.filter(area=self.area)
        if self.acting_user is not None:
            visible = scope_to_user(visible, self.acting_user)
        if visible.count() != before_count + len(self.plan.new):
            self.errors.file_error(
                _("The project count did not add up after writing; nothing was imported.")
            )
            raise _Rollback

    def _check_no_collisions(self, started: dt.datetime) -> None:
        """Projects someone else created while the rows were being checked."""
        fresh = Project.objects.filter(area=self.area, created_at__gte=started).values_list(
            "code", "name"
        )
        codes = {code for code, _name in fresh if code}
        names = {name_key(name) for _code, name in fresh}
        for row in self.plan.new:
            code = row.values.get("code", "")
            if (code and code in codes) or (not code and name_key(row.values["name"]) in names):
                self.errors.add(
                    row.number,
                    self.planner.header("code" if code else "name"),
                    _("Someone created this project while the file was being imported."),
                    sheet=row.sheet,
                )
        if self.errors:
            raise _Rollback

    def _create(self) -> None:
        user, area = self.acting_user, self.area
        for start in range(0, len(self.plan.new), WRITE_CHUNK):
            chunk = self.plan.new[start : start + WRITE_CHUNK]
            projects = [
                Project(area=area, stage=row.stage or Stage.LEAD, **row.values) for row in chunk
            ]
            Project.objects.bulk_create(projects)
            now = timezone.now()
            StageEvent.objects.bulk_create(
                StageEvent(
                    project=project,
                    from_stage="",
                    to_stage=project.stage,
                    event_date=self.planner.event_date_for_new(row),
                    recorded_at=now,
                    actor=user,
                    note=self.note(row),
                )
                for row, project in zip(chunk, projects, strict=True)
            )
            AuditEvent.objects.bulk_create(
                _audit_event(acting_user=user, area=area, project=project, now=now)
                for project in projects
            )
            self.progress(processed=start + len(chunk), total=len(self.plan.new), phase="writing")

    def _update(self) -> None:
        events: list[StageEvent] = []
        now = timezone.now()
        for change in self.plan.changed:
            row, project, to_stage = change.row, change.project, change.to_stage
            for name, value in change.stored.items():  # the row as it is stored, for the audit
                setattr(project, name, value)
            before = snapshot(project)
            values = dict(change.changes)
            if to_stage is not None:
                values["stage"] = to_stage
            try:
                services._bump(project, project.version, **values)
            except services.ConflictError as exc:
                self.errors.add(row.number, self.planner.header("name"), str(exc), sheet=row.sheet)
                continue
            for name, value in values.items():
                setattr(project, name, value)
            after = snapshot(project)
            audit_record(
                acting_user=self.acting_user,
                action=AuditAction.UPDATE,
                instance=project,
                before={k: v for k, v in before.items() if after.get(k) != v},
                after={k: v for k, v in after.items() if before.get(k) != v},
            )
            if to_stage is not None and change.event_date is not None:
                events.append(
                    StageEvent(
                        project=project,
                        from_stage=before["stage"],
                        to_stage=to_stage,
                        event_date=change.event_date,
                        recorded_at=now,
                        actor=self.acting_user,
                        note=self.note(row),
                        reason=change.reason,
                    )
                )
        if self.errors:
            raise _Rollback
        StageEvent.objects.bulk_create(events)


# --- the importer ------------------------------------------------------------------------


def import_ledger(
    *,
    path: Path,
    area: Area,
    acting_user: User | None,
    dry_run: bool,
    progress: Progress,
    file_name: str = "",
    estimate: int = 0,
) -> ImportOutcome:
    """Import a project ledger into ``area``; nothing is written unless every row is good."""
    outcome = ImportOutcome()
    if acting_user is not None and not areas_visible_to(acting_user).filter(pk=area.pk).exists():
        outcome.errors.file_error(_("You may not import into this area."))
        return outcome
    started = timezone.now()
    try:
        reader = LedgerReader(area, outcome, progress)
        rows = reader.read(Path(path), estimate)
    except ImportFileError as exc:
        outcome.errors.file_error(str(exc))
        return outcome
    planner = Planner(reader, acting_user)
    matched: list[Row] = []
    for row in rows:
        if row.project_id is None:
            planner.new(row)
        else:
            matched.append(row)
    del rows
    planner.matched(matched)
    plan = planner.plan
    if plan.defaulted_amounts:
        outcome.notes.append(
            _(
                "The file has no contracted-amount column: %(n)d signed project(s) take their "
                "total investment as the contracted amount."
            )
            % {"n": plan.defaulted_amounts}
        )
    if outcome.errors:
        return outcome
    outcome.created, outcome.updated, outcome.unchanged = (
        len(plan.new),
        len(plan.changed),
        plan.unchanged,
    )
    writer = Writer(planner, acting_user, file_name or Path(path).name, progress)
    try:
        with transaction.atomic():
            writer.write(started)
            if dry_run:
                raise _Rollback
    except _Rollback:
        if outcome.errors:
            outcome.created = outcome.updated = outcome.unchanged = 0
    return outcome


# --- the template ------------------------------------------------------------------------


def template() -> Template:
    example = {
        "code": "",
        "name": "示例：新能源汽车零部件项目（导入时自动跳过以“示例”开头的行）",
        "investor": "某某汽车零部件有限公司",
        "cluster": "新能源汽车",
        "source_region": "长三角",
        "method": "产业链招商",
        "total_investment": 50000,
        "foreign_capital": 0,
        "out_of_city_capital": 30000,
        "land_area": 120,
        "stage": "已签约",
        "contract_date": dt.date(2026, 3, 15),
        "contracted_amount": 50000,
        "start_date": "",
        "production_date": "",
        "key_level": "市重点",
        "sub_bureau": "新能源汽车装备专业招商分局",
        "lead_cadre": "陈志远",
        "land_parcel": "装备产业集聚区 A-12 地块",
        "notes": "",
    }
    stage_words = "；".join(
        f"{Stage(stage).label}：{'、'.join(words)}" for stage, words in STAGE_WORDS.items()
    )
    help_rows: list[tuple[str, str]] = [
        (column.header, "、".join(SYNONYMS.get(column.key, ())[1:]) or "—")
        for column in LEDGER_COLUMNS
    ]
    help_rows += [
        (_("Stage words"), stage_words),
        (_("Dates"), "2026-03-15、2026.3.15、2026/3/15、2026年3月15日"),
        (_("Blank"), "空白、—、-、/、无"),
    ]
    return Template(
        file_name="project-ledger-template.xlsx",
        sheet="招商项目台账",
        headers=[column.header for column in LEDGER_COLUMNS],
        examples=[[example[column.key] for column in LEDGER_COLUMNS]],
        help=help_rows,
    )
