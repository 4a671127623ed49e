"""The project ledger (招商项目台账) layout shared by Excel export and import.

Export writes exactly these headers; import recognises them (and many
synonyms real bureaus use, see ``docs/import-formats.md``), so an exported
ledger imports back to the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import KeyLevel, KeyRegion, Method, Stage


@dataclass(frozen=True)
class LedgerColumn:
    key: str  # Project field, or a derived key for related names
    header: str  # Chinese header with its unit
    kind: str  # text | decimal | date | choice | fk


LEDGER_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("code", "项目编号", "text"),
    LedgerColumn("name", "项目名称", "text"),
    LedgerColumn("investor", "投资主体", "fk"),  # enterprise name, or investor_name as written
    LedgerColumn("cluster", "所属产业集群", "fk"),
    LedgerColumn("source_region", "来源地区", "choice"),
    LedgerColumn("method", "招商方式", "choice"),
    LedgerColumn("total_investment", "总投资（万元）", "decimal"),
    LedgerColumn("foreign_capital", "利用外资（万美元）", "decimal"),
    LedgerColumn("out_of_city_capital", "市外资金（万元）", "decimal"),
    LedgerColumn("land_area", "用地面积（亩）", "decimal"),
    LedgerColumn("stage", "项目进展", "choice"),
    LedgerColumn("contract_date", "签约日期", "date"),
    LedgerColumn("contracted_amount", "签约金额（万元）", "decimal"),
    LedgerColumn("start_date", "开工日期", "date"),
    LedgerColumn("production_date", "投产日期", "date"),
    # the level of the exported year (a fact of that year's key lists); read-only on import
    LedgerColumn("key_level", "重点项目级别", "choice"),
    LedgerColumn("sub_bureau", "责任单位", "fk"),
    LedgerColumn("lead_cadre", "牵头领导", "fk"),  # a Person: name, or “name（post）”
    LedgerColumn("responsible_chief", "主抓局长", "fk"),  # the chain's 主抓 (a Person)
    LedgerColumn("frontline_sub_chief", "带队分局长", "fk"),  # the chain's 带队 (a Person)
    LedgerColumn("land_parcel", "项目地块", "text"),
    LedgerColumn("notes", "备注", "text"),
    # the project's area by name (or code): a zone's projects come back to the zone
    LedgerColumn("area", "所属区域", "fk"),
)


# --- what the values are called ------------------------------------------------------
# Import recognises every word; export writes the first one, so the two cannot drift.

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
    KeyRegion.JINGJINJI: (
        "京津冀/环渤海",
        "京津冀",
        "环渤海",
        "京津冀地区",
        "环渤海地区",
        "京津冀及环渤海",
        "京津冀、环渤海",
    ),
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
CHOICE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "stage": STAGE_WORDS,
    "source_region": REGION_WORDS,
    "method": METHOD_WORDS,
    "key_level": KEY_LEVEL_WORDS,
}
