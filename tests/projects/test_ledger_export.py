"""The project ledger export: layout, visibility, formula safety, audit, and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from tests.factories import PersonFactory, person_of
from zhaoshang import cli
from zhaoshang.construction.services.investment import key_entry_add
from zhaoshang.core.choices import AuditAction, PersonRank
from zhaoshang.core.models import Area, AuditEvent, Unit, User
from zhaoshang.projects import services
from zhaoshang.projects.choices import KeyLevel, KeyRegion, Method, Stage
from zhaoshang.projects.exports import (
    CHOICE_LABELS,
    LEDGER_SHEET,
    export_projects,
    ledger_rows,
)
from zhaoshang.projects.ledger import LEDGER_COLUMNS
from zhaoshang.projects.models import Cluster, Enterprise, Project
from zhaoshang.projects.selectors import project_list

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in LEDGER_COLUMNS]
COL = {column.key: i for i, column in enumerate(LEDGER_COLUMNS)}
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


# --- helpers -------------------------------------------------------------------


def make_project(username: str, name: str, **fields: Any) -> Project:
    user = User.objects.get(username=username)
    assert user.area is not None
    fields.setdefault("code", f"T-{uuid.uuid4().hex[:10]}")
    return services.project_create(acting_user=user, area=user.area, name=name, **fields)


def export(username: str, filters: dict[str, Any] | None = None, **kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    export_projects(
        user=User.objects.get(username=username), filters=filters, target=buffer, **kwargs
    )
    return buffer.getvalue()


def read_back(data: bytes | Path) -> tuple[list[str], list[list[Any]]]:
    """Sheet names and rows as python-calamine reads them."""
    book = (
        CalamineWorkbook.from_path(str(data))
        if isinstance(data, Path)
        else CalamineWorkbook.from_filelike(io.BytesIO(data))
    )
    return book.sheet_names, book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def rows_by_code(data: bytes | Path) -> dict[str, list[Any]]:
    _names, rows = read_back(data)
    return {row[COL["code"]]: row for row in rows[1:]}


def ooxml_unescape(text: str) -> str:
    """Decode ``_xHHHH_`` left to right without overlap, as Excel does."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def string_cells(data: bytes) -> list[tuple[str, int]]:
    """Every text cell of sheet 1 as (decoded text, style index); asserts no formula exists."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314 - our own file
        names = book.namelist()
        shared = (
            [
                "".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
                for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", NS)  # noqa: S314
            ]
            if "xl/sharedStrings.xml" in names
            else []
        )
    assert sheet.findall(".//m:f", NS) == [], "the export must never contain a formula"
    found = []
    for cell in sheet.iter(f"{{{NS['m']}}}c"):
        kind, style = cell.get("t"), int(cell.get("s", "0"))
        if kind == "inlineStr":
            text = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
        elif kind == "s":
            text = shared[int(cell.findtext("m:v", namespaces=NS) or "0")]
        else:
            continue
        found.append((ooxml_unescape(text), style))
    return found


def quote_prefixed_styles(data: bytes) -> set[int]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        styles = ET.fromstring(book.read("xl/styles.xml"))  # noqa: S314 - our own file
    xfs = styles.find("m:cellXfs", NS)
    assert xfs is not None
    return {i for i, xf in enumerate(xfs.findall("m:xf", NS)) if xf.get("quotePrefix") == "1"}


@pytest.fixture
def full_project(user_named) -> Project:  # type: ignore[no-untyped-def]
    """A signed 驿城区 project with every ledger column filled."""
    staff = user_named("yc_staff")
    enterprise = Enterprise(area=staff.area, name="测试中集华骏车辆有限公司")
    from zhaoshang.projects.services import enterprise_save

    enterprise_save(acting_user=staff, enterprise=enterprise)
    cluster, _ = Cluster.objects.get_or_create(
        area=staff.area,
        name="测试运输装备",
        defaults={"sub_bureau": staff.unit},
    )
    project = services.project_create(
        acting_user=staff,
        area=staff.area,
        name="年产5000辆专用车项目",
        code="YC-2026-001",
        stage=Stage.SIGNED,
        investor=enterprise,
        cluster=cluster,
        source_region=KeyRegion.YANGTZE,
        method=Method.CHAIN,
        total_investment=Decimal("120000.5000"),
        foreign_capital=Decimal("350.2500"),
        out_of_city_capital=Decimal("80000"),
        land_area=Decimal("260.50"),
        contract_date=dt.date(2026, 3, 18),
        contracted_amount=Decimal("100000"),
        sub_bureau=staff.unit,
        lead_cadre=person_of(user_named("yc_leader")),
        land_parcel="装备产业集聚区 A-07",
        notes="已签订投资协议",
    )
    key_entry_add(  # the level is this year's list's (重点项目级别 is written for a year)
        acting_user=staff,
        project=project,
        year=timezone.localdate().year,
        level=KeyLevel.CITY,
        planned_investment=Decimal("30000"),
    )
    return project


# --- layout and values ---------------------------------------------------------------


def test_it_writes_the_ledger_headers_with_units_on_the_ledger_sheet():
    names, rows = read_back(export("yc_staff"))
    assert names == [LEDGER_SHEET]
    assert rows[0] == HEADERS
    units = {"总投资（万元）", "利用外资（万美元）", "市外资金（万元）", "用地面积（亩）"}
    assert units <= set(rows[0])


def test_it_yields_display_values_in_ledger_column_order(full_project, user_named):
    rows = list(ledger_rows(project_list(user_named("yc_staff"), {"q": "YC-2026-001"})))
    expected = (
        "YC-2026-001",
        "年产5000辆专用车项目",
        "测试中集华骏车辆有限公司",
        "测试运输装备",
        "长三角",
        "产业链招商",
        Decimal("120000.5000"),
        Decimal("350.2500"),
        Decimal("80000.0000"),
        Decimal("260.50"),
        "签约",
        dt.date(2026, 3, 18),
        Decimal("100000.0000"),
        None,
        None,
        "市重点",
        "新能源汽车装备专业招商分局",
        "陈志远",
        None,  # 主抓局长
        None,  # 带队分局长
        "装备产业集聚区 A-07",
        "已签订投资协议",
        "驿城区",
    )
    assert [tuple(row) for row in rows] == [expected]
    assert [type(value) for value in rows[0]] == [type(value) for value in expected]


def test_it_yields_none_for_blanks_and_tells_a_namesake_apart_by_post(user_named):
    leader = person_of(user_named("yc_leader"))
    city = Area.objects.get(code="411700")
    PersonFactory(area=city, name=leader.name, post="市商务局局长", rank=PersonRank.CHIEF)
    project = make_project(
        "yc_staff", "只有线索的项目", investor_name="某投资人（手写）", lead_cadre=leader
    )
    (row,) = ledger_rows(project_list(user_named("yc_staff"), {"q": project.code}))
    cells = dict(zip(COL, row, strict=True))
    assert (cells["investor"], cells["lead_cadre"]) == ("某投资人（手写）", "陈志远（副区长）")
    assert (cells["stage"], cells["method"]) == ("线索", "其他")
    blank = ("cluster", "source_region", "land_area", "contract_date", "key_level", "sub_bureau")
    assert [cells[key] for key in (*blank, "land_parcel", "notes")] == [None] * 8


def test_it_writes_blanks_as_empty_cells_and_the_investor_as_written(user_named):
    project = make_project("yc_staff", "仅有意向的项目", investor_name="某投资人（手写）")
    row = rows_by_code(export("yc_staff"))[project.code]
    assert row[COL["investor"]] == "某投资人（手写）"
    assert row[COL["stage"]] == "线索"
    assert row[COL["method"]] == "其他"
    for key in ("cluster", "source_region", "land_area", "contract_date", "key_level", "notes"):
        assert row[COL[key]] == "", key
    assert row[COL["total_investment"]] == 0.0


def test_it_reads_numbers_and_dates_back_as_numbers_and_dates(full_project):
    row = rows_by_code(export("yc_staff"))["YC-2026-001"]
    assert row[COL["total_investment"]] == pytest.approx(120000.5)
    assert row[COL["land_area"]] == pytest.approx(260.5)
    assert row[COL["contract_date"]] in (dt.date(2026, 3, 18), dt.datetime(2026, 3, 18))


def test_it_has_a_chinese_label_for_every_choice_value():
    fields = {"stage": Stage, "source_region": KeyRegion, "method": Method, "key_level": KeyLevel}
    for key, choices in fields.items():
        assert set(CHOICE_LABELS[key]) == {v for v in choices.values if v}, key
        assert len(set(CHOICE_LABELS[key].values())) == len(CHOICE_LABELS[key]), key


def test_it_reads_any_number_of_projects_in_one_query(user_named):
    make_project("yc_staff", "项目一")
    with CaptureQueriesContext(connection) as one:
        export("yc_staff")
    for i in range(5):
        make_project("yc_staff", f"项目{i}", lead_cadre=person_of(user_named("yc_leader")))
    with CaptureQueriesContext(connection) as six:
        export("yc_staff")
    assert len(six.captured_queries) == len(one.captured_queries)
    reads = [q for q in six.captured_queries if 'FROM "projects_project"' in q["sql"]]
    assert len(reads) == 1


# --- visibility and filters ------------------------------------------------------------


def test_it_exports_only_the_projects_the_user_may_see():
    yicheng = make_project("yc_staff", "驿城区的项目")
    xiping = make_project("xp_staff", "西平县的项目")
    assert yicheng.code in rows_by_code(export("yc_staff"))
    assert xiping.code not in rows_by_code(export("yc_staff"))
    assert yicheng.code not in rows_by_code(export("xp_staff"))
    city = rows_by_code(export("zmd_city"))
    assert {yicheng.code, xiping.code} <= set(city)
    assert len(city) == project_list(User.objects.get(username="zmd_city")).count()


def test_it_exports_nothing_to_an_investor_without_projects_of_their_enterprise():
    make_project("yc_staff", "别家企业的项目")
    _names, rows = read_back(export("yc_investor"))
    assert rows == [HEADERS]


def test_it_applies_the_filters_and_narrows_to_an_area_and_below():
    signed = make_project(
        "yc_staff",
        "已签约",
        stage=Stage.SIGNED,
        contract_date=dt.date(2026, 1, 5),
        contracted_amount=Decimal("10"),
    )
    lead = make_project("yc_staff", "线索")
    xiping = make_project("xp_staff", "西平签约", stage=Stage.LEAD)
    assert set(rows_by_code(export("yc_staff", {"stage": Stage.SIGNED}))) >= {signed.code}
    assert lead.code not in rows_by_code(export("yc_staff", {"stage": Stage.SIGNED}))
    narrowed = rows_by_code(export("zmd_city", within=Area.objects.get(code="411702")))
    assert {signed.code, lead.code} <= set(narrowed) and xiping.code not in narrowed


# --- audit ------------------------------------------------------------------------------


def test_it_writes_one_audit_event_per_export_with_filters_and_row_count(user_named):
    make_project("yc_staff", "审计测试项目", stage=Stage.LEAD)
    staff = user_named("yc_staff")
    before = AuditEvent.objects.count()
    export("yc_staff", {"stage": Stage.LEAD, "q": "", "cluster": None})
    export("yc_staff", {"stage": Stage.LEAD})
    events = list(AuditEvent.objects.order_by("id")[before:])
    expected_rows = project_list(staff, {"stage": Stage.LEAD}).count()
    assert len(events) == 2
    for event in events:
        assert (event.action, event.object_type, event.user, event.area) == (
            AuditAction.EXPORT,
            "projects.project",
            staff,
            staff.area,
        )
        # the ledger is written for a year (重点项目级别 is that year's): this one by default
        assert event.after == {
            "filters": {"stage": "lead", "year": timezone.localdate().year},
            "rows": expected_rows,
        }
        assert event.object_repr == LEDGER_SHEET


def test_it_records_a_model_filter_by_its_key_and_the_area_narrowing(user_named):
    unit = Unit.objects.get(name="新能源汽车装备专业招商分局")
    export("zmd_city", {"sub_bureau": unit}, within=Area.objects.get(code="411702"))
    event = AuditEvent.objects.latest("id")
    assert event.after is not None
    assert event.after["filters"] == {
        "sub_bureau": unit.pk,
        "within": "411702",
        "year": timezone.localdate().year,
    }
    assert event.object_repr == f"{LEDGER_SHEET}（驿城区）"


# --- formula safety -----------------------------------------------------------------------

# What a cell can carry through XML and back: no surrogates (``codec="utf-8"``),
# no NUL (PostgreSQL text refuses it), and not U+FFFE/U+FFFF, which xlsxwriter writes as
# ``_xFFFE_`` but python-calamine does not decode. Other control characters
# are escaped as ``_xHHHH_`` by xlsxwriter and decoded by readers, so they stay in.
STORABLE = st.characters(codec="utf-8", exclude_characters="\x00\ufffe\uffff")
TEXT = st.tuples(
    st.sampled_from(("", *DANGEROUS)), st.text(alphabet=STORABLE, min_size=1, max_size=60)
).map("".join)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(name=TEXT, notes=TEXT)
@example(name='=HYPERLINK("http://x","点我")', notes="@SUM(1+1)*cmd|' /C calc'!A0")
@example(name="+86 396 1234567", notes="-1")
@example(name="\t=1+1", notes="\r=2+2")
@example(name="_x0041_ 字面量", notes="a_x000D_b\r\n")
def test_it_writes_any_text_as_text_never_as_a_formula(name, notes):
    with transaction.atomic():
        project = make_project("yc_staff", name, notes=notes)
        data = export("yc_staff", {"q": project.code})
        transaction.set_rollback(True)
    cells = string_cells(data)
    prefixed = quote_prefixed_styles(data)
    for text, style in cells:
        if text.startswith(DANGEROUS):
            assert style in prefixed, f"{text!r} is not quote-prefixed"
    texts = [text for text, _style in cells]
    assert name in texts and notes in texts
    row = rows_by_code(data)[project.code]
    assert (row[COL["name"]], row[COL["notes"]]) == (name, notes)


def test_it_does_not_quote_prefix_ordinary_text():
    project = make_project("yc_staff", "普通项目", notes="正常备注")
    data = export("yc_staff", {"q": project.code})
    prefixed = quote_prefixed_styles(data)
    styles = dict(string_cells(data))
    assert styles["普通项目"] not in prefixed and styles["正常备注"] not in prefixed


@pytest.mark.parametrize("text", ["_x005F_x0041_", "_x0041_x0042_", "SKU_x0041\x01"])
def test_it_round_trips_overlapping_ooxml_escape_lookalikes(text):
    project = make_project("yc_staff", "转义测试", notes=text)
    row = rows_by_code(export("yc_staff", {"q": project.code}))[project.code]
    assert row[COL["notes"]] == text


# --- command line ----------------------------------------------------------------------------


@pytest.fixture
def run_cli(monkeypatch, capsys):  # type: ignore[no-untyped-def]
    """Run ``zhaoshang …`` in-process; returns (exit code, stdout, stderr).

    The real entry point, so exit codes are what a shell sees. Django closes
    all connections after a command, which would end the test's transaction;
    that one step is skipped here.
    """
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            cli.main(list(argv))
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_it_exports_from_the_command_line_as_the_given_user(run_cli, tmp_path, user_named):
    project = make_project("yc_staff", "命令行导出项目", stage=Stage.LEAD)
    make_project("xp_staff", "西平不应出现")
    target = tmp_path / "台账.xlsx"
    before = AuditEvent.objects.latest("id").id
    code, out, _err = run_cli(
        "export", "projects", str(target), "--area", "411702", "--user", "yc_staff"
    )
    assert code == 0
    rows = rows_by_code(target)
    assert project.code in rows and rows[project.code][COL["stage"]] == "线索"
    assert all(row[COL["name"]] != "西平不应出现" for row in rows.values())
    assert str(len(rows)) in out and str(target) in out
    event = AuditEvent.objects.get(id__gt=before)
    assert (event.action, event.user, event.after) == (
        AuditAction.EXPORT,
        user_named("yc_staff"),
        {"filters": {"within": "411702", "year": timezone.localdate().year}, "rows": len(rows)},
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx"]


def test_it_narrows_a_city_users_command_line_export_to_the_area(tmp_path):
    xiping = make_project("xp_staff", "西平县项目")
    yicheng = make_project("yc_staff", "驿城区项目")
    target = tmp_path / "yc.xlsx"
    call_command("export", "projects", str(target), "--area", "411702", "--user", "zmd_city")
    rows = rows_by_code(target)
    assert yicheng.code in rows and xiping.code not in rows


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--area", "999999", "--user", "yc_staff"), "999999"),
        (("--area", "411702", "--user", "nobody"), "nobody"),
        (("--area", "411721", "--user", "yc_staff"), "西平县"),
        (("--area", "411700", "--user", "yc_staff"), "驻马店市"),
    ],
    ids=["unknown-area", "unknown-user", "sibling-area", "area-above"],
)
def test_it_refuses_on_the_command_line_with_exit_code_1(run_cli, tmp_path, argv, message):
    target = tmp_path / "out.xlsx"
    before = AuditEvent.objects.count()
    code, _out, err = run_cli("export", "projects", str(target), *argv)
    assert code == 1
    assert "CommandError" in err and message in err
    assert not target.exists() and list(tmp_path.iterdir()) == []
    assert AuditEvent.objects.count() == before


def test_it_refuses_a_file_name_that_is_not_xlsx(run_cli, tmp_path):
    code, _out, err = run_cli(
        "export", "projects", str(tmp_path / "out.csv"), "--area", "411702", "--user", "yc_staff"
    )
    assert code == 1 and ".xlsx" in err


def test_it_exports_the_key_level_of_the_year_given_on_the_command_line(full_project, tmp_path):
    this_year, target = timezone.localdate().year, tmp_path / "y.xlsx"
    call_command(
        "export", "projects", str(target), "--area", "411702", "--user", "yc_staff",
        "--year", str(this_year),
    )  # fmt: skip
    assert rows_by_code(target)[full_project.code][COL["key_level"]] == "市重点"
    call_command(
        "export", "projects", str(target), "--area", "411702", "--user", "yc_staff",
        "--year", str(this_year - 1),
    )  # fmt: skip
    assert rows_by_code(target)[full_project.code][COL["key_level"]] in ("", None)
    assert AuditEvent.objects.latest("id").after["filters"]["year"] == this_year - 1


@pytest.mark.parametrize("year", ["1999", "20x6", "2101"])
def test_it_refuses_a_year_the_ledger_cannot_show(run_cli, tmp_path, year):
    target = tmp_path / "out.xlsx"
    code, _out, err = run_cli(
        "export", "projects", str(target), "--area", "411702", "--user", "yc_staff",
        "--year", year,
    )  # fmt: skip
    assert code != 0 and "2000" in err and not target.exists()
