"""The project ledger (招商项目台账) layout shared by Excel export and import.

Export writes exactly these headers; import recognises them (and many
synonyms real bureaus use, see ``docs/import-formats.md``), so an exported
ledger imports back to the same data.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    LedgerColumn("key_level", "重点项目级别", "choice"),
    LedgerColumn("sub_bureau", "责任单位", "fk"),
    LedgerColumn("lead_cadre", "牵头领导", "fk"),  # the person's full name
    LedgerColumn("land_parcel", "项目地块", "text"),
    LedgerColumn("notes", "备注", "text"),
)
