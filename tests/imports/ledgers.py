"""Ledgers built with xlsxwriter the way district bureaus actually lay them out.

``messy_ledger`` reproduces a real 招商项目台账: a merged title, a 填报单位 line
with “单位：万元”, a two-row merged header (投资额（万元） over its three
columns, 时间节点 over the two dates), section headings, a 小计 and a 合计 row,
and 填表说明 notes at the bottom; cells hold text dates in four formats,
numbers typed as text with thousands separators, “—”, “/” and blanks, and
stage words as clerks write them (已签约, 在建, 已投产, 在谈).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from zhaoshang.core.models import Area, Unit
from zhaoshang.projects.models import Cluster

# fmt: off
HEADER_TOP = [
    "序号", "项目编号", "项目名称", "投资方", "所属产业集群", "客商来源地",
    "投资额（万元）", "", "", "所处阶段", "时间节点", "",
    "用地（亩）", "牵头领导", "责任单位", "备注",
]
HEADER_BOTTOM = [
    "", "", "", "", "", "",
    "计划总投资", "引进市外资金", "外资（万美元）", "", "签约时间", "开工时间",
    "", "", "", "",
]
# 序号 编号 名称 投资方 集群 来源 / 总投资 市外 外资 阶段 签约 开工 / 用地 领导 单位 备注
SIGNED_ROWS: list[list[Any]] = [
    [1, "", "新能源汽车电池包项目", "江苏宁远新能源有限公司", "新能源汽车产业集群", "江苏",
     "12,000.50", "8,000", "—", "已签约", "2026-03-15", "",
     120, "陈志远", "新能源汽车装备专业招商分局", ""],
    [2, "YC-2026-002", "专用车底盘项目", "中集华骏", "运输装备", "长三角",
     30000, "/", 500, "签约", dt.date(2026, 2, 1), "",
     "—", "", "专用车运输装备专业招商局", "以商招商引进"],
]
BUILDING_ROWS: list[list[Any]] = [
    [3, "", "电力电缆扩产项目", "德威电缆", "电力电缆电器装备集群", "广东省深圳市",
     "5000", "", "", "在建", "2025.11.8", "2026/1/20",
     "45.5", "", "电力电缆电器装备专业招商分局", ""],
    [4, "", "农机装备产业园", "某农机集团", "农业工程机械装备", "境外-德国",
     "25,000", "10,000", "1,200", "已投产", "2024年6月1日", "2024年9月1日",
     "200", "", "", "一期已投产"],
]
TALKS_ROWS: list[list[Any]] = [
    [5, "", "冷链物流中心项目", "", "", "",
     "3,000", "", "", "", "", "",
     "", "", "", "有意向，待考察"],
    [6, "", "智能电表项目", "华宇电力", "电力电缆电器装备", "浙江",
     "1,500", "", "", "在谈", "", "",
     "", "", "", ""],
]
# fmt: on
EXPECTED_NAMES = [row[2] for row in SIGNED_ROWS + BUILDING_ROWS + TALKS_ROWS]

YICHENG_CLUSTERS = [
    ("运输装备", "专用车运输装备专业招商局"),
    ("新能源汽车", "新能源汽车装备专业招商分局"),
    ("农业工程机械装备", "农业工程机械装备专业招商分局"),
    ("电力电缆电器装备", "电力电缆电器装备专业招商分局"),
    ("电商现代物流", "电商现代物流专业招商分局"),
]


def ensure_clusters(area_code: str = "411702") -> dict[str, Cluster]:
    """The seed clusters of Yicheng (created here until the project demo loads them)."""
    area = Area.objects.get(code=area_code)
    clusters = {}
    for name, unit_name in YICHENG_CLUSTERS:
        unit = Unit.objects.filter(area=area, name=unit_name).first()
        clusters[name], _ = Cluster.objects.get_or_create(
            area=area, name=name, defaults={"sub_bureau": unit}
        )
    return clusters


def messy_ledger(
    path: Path | io.BytesIO,
    *,
    signed: Sequence[Sequence[Any]] = SIGNED_ROWS,
    building: Sequence[Sequence[Any]] = BUILDING_ROWS,
    talks: Sequence[Sequence[Any]] = TALKS_ROWS,
) -> Path | io.BytesIO:
    """Write the bureau-style ledger; data rows start on Excel row 7 (see ``ROW_OF``)."""
    book = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = book.add_worksheet("2026年台账")
    title = book.add_format({"bold": True, "align": "center", "font_size": 16})
    head = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
    day = book.add_format({"num_format": "yyyy年m月d日"})
    ws.merge_range(0, 0, 0, 15, "驿城区2026年招商引资重点项目台账", title)
    ws.write_string(1, 0, "填报单位：驿城区商务局（盖章）")
    ws.write_string(1, 13, "单位：万元")
    # two-row header: single headers merged vertically, groups merged horizontally
    for col, text in enumerate(HEADER_TOP):
        if text and not HEADER_BOTTOM[col]:
            ws.merge_range(3, col, 4, col, text, head)
    ws.merge_range(3, 6, 3, 8, "投资额（万元）", head)
    ws.merge_range(3, 10, 3, 11, "时间节点", head)
    for col, text in enumerate(HEADER_BOTTOM):
        if text:
            ws.write_string(4, col, text, head)
    row = 5
    ws.merge_range(row, 0, row, 15, "一、签约项目（2个）")
    row += 1
    for values in signed:
        _write_row(ws, row, values, day)
        row += 1
    ws.merge_range(row, 0, row, 15, "二、在建及投产项目")
    row += 1
    for values in building:
        _write_row(ws, row, values, day)
        row += 1
    ws.write_string(row, 0, "小计")
    ws.write_number(row, 6, 30000)
    row += 1
    ws.merge_range(row, 0, row, 15, "三、在谈项目")
    row += 1
    for values in talks:
        _write_row(ws, row, values, day)
        row += 1
    ws.write_string(row, 0, "合  计")
    ws.write_number(row, 6, 76500.5)
    row += 1
    ws.merge_range(
        row,
        0,
        row,
        15,
        "填表说明：1. 金额单位为万元；2. 项目进展填写线索、意向、洽谈、签约、落地、开工、投产。",
    )
    ws.write_string(row + 1, 0, "3. 日期请填写到日。")
    ws.write_string(row + 2, 0, "填表人：张三        审核人：李四        填报日期：2026年4月5日")
    book.close()
    return path


#: Excel row number of each project in ``messy_ledger`` (by project name)
ROW_OF = {
    "新能源汽车电池包项目": 7,
    "专用车底盘项目": 8,
    "电力电缆扩产项目": 10,
    "农机装备产业园": 11,
    "冷链物流中心项目": 14,
    "智能电表项目": 15,
}


def _write_row(ws: Any, row: int, values: Sequence[Any], day: Any) -> None:
    for col, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), day)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value)
        else:
            ws.write_string(row, col, value)


def simple_ledger(
    path: Path | io.BytesIO, headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Path | io.BytesIO:
    """A plain one-header-row sheet (dates written as real Excel dates)."""
    book = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    ws = book.add_worksheet("台账")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, text in enumerate(headers):
        ws.write_string(0, col, text)
    for r, values in enumerate(rows, start=1):
        _write_row(ws, r, values, day)
    book.close()
    return path


def zip_bomb(path: Path, *, inflated_mb: int = 60) -> Path:
    """A tiny .xlsx-named zip whose sheet inflates to ``inflated_mb`` MB of zeros."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"0" * (1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(inflated_mb):
                member.write(chunk)
    return path


def with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook ``data`` with every sheet's ``<dimension>`` declaring ``ref`` (a lie)."""
    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            content = old.read(member)
            if member.filename.startswith("xl/worksheets/"):
                content = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content
                )
            new.writestr(member, content)
    return target.getvalue()


def ledger_bytes() -> bytes:
    """``messy_ledger`` as the bytes of an upload."""
    buffer = io.BytesIO()
    messy_ledger(buffer)
    return buffer.getvalue()


def upload_ledger(client: Any, data: bytes, *, area: str = "411702") -> Any:
    """POST ``data`` as a project ledger to the upload page, as a clerk would."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhaoshang.core.xlsx import XLSX_TYPE

    file = SimpleUploadedFile("台账.xlsx", data, content_type=XLSX_TYPE)
    return client.post("/imports/projects/", {"area": area, "file": file})
