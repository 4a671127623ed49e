"""The project-ledger import: real bureau layouts, all or nothing, idempotent, audited."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories import PersonFactory
from tests.imports.ledgers import (
    BUILDING_ROWS,
    EXPECTED_NAMES,
    ROW_OF,
    SIGNED_ROWS,
    TALKS_ROWS,
    ensure_clusters,
    messy_ledger,
    simple_ledger,
)
from zhaoshang.core.choices import PersonRank
from zhaoshang.core.lifecycle import DateOrder, NotFuture, Required
from zhaoshang.core.models import Area, AuditEvent, Person, Unit, User
from zhaoshang.core.snapshots import snapshot
from zhaoshang.imports.cells import brief_list
from zhaoshang.imports.kinds import ImportOutcome, no_progress
from zhaoshang.projects.choices import KeyRegion, Stage
from zhaoshang.projects.exports import export_projects
from zhaoshang.projects.importing import SPEC, import_ledger
from zhaoshang.projects.ledger import LEDGER_COLUMNS
from zhaoshang.projects.lifecycle import PROJECT
from zhaoshang.projects.models import Project, StageEvent

pytestmark = pytest.mark.django_db

SIGNED_DATE = "时间节点/签约时间"
START_DATE = "时间节点/开工时间"
STAGE = "所处阶段"


@pytest.fixture(autouse=True)
def clusters(db: None) -> None:
    ensure_clusters()


def run(path: Path | io.BytesIO, *, user: str | None = "yc_staff", **kwargs: Any) -> ImportOutcome:
    return import_ledger(
        path=path,  # type: ignore[arg-type]
        area=Area.objects.get(code=kwargs.pop("area", "411702")),
        acting_user=User.objects.get(username=user) if user else None,
        dry_run=kwargs.pop("dry_run", False),
        progress=no_progress,
    )


def ours() -> dict[str, Project]:
    projects = Project.objects.filter(area__code="411702", name__in=EXPECTED_NAMES)
    return {p.name: p for p in projects.select_related("cluster", "sub_bureau", "lead_cadre")}


def project_audits() -> int:
    return AuditEvent.objects.filter(object_type="projects.project").count()


def edited(rows: list[list[Any]], index: int, column: int, value: Any) -> list[list[Any]]:
    copy = [list(row) for row in rows]
    copy[index][column] = value
    return copy


def test_it_imports_a_messy_bureau_ledger_with_its_real_values(tmp_path: Path) -> None:
    outcome = run(messy_ledger(tmp_path / "台账.xlsx"))

    assert outcome.errors.lines() == []
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.total_rows) == (6, 0, 0, 6)
    got = ours()
    assert sorted(got) == sorted(EXPECTED_NAMES)

    battery = got["新能源汽车电池包项目"]  # text number with separators, text date 2026-03-15
    assert battery.stage == Stage.SIGNED
    assert battery.total_investment == Decimal("12000.50")
    assert battery.out_of_city_capital == Decimal("8000")
    assert battery.foreign_capital == 0  # “—”
    assert battery.contract_date == dt.date(2026, 3, 15)
    assert battery.contracted_amount == Decimal("12000.50")  # no 签约金额 column: the total
    assert battery.land_area == Decimal("120")
    assert battery.cluster.name == "新能源汽车"  # written “新能源汽车产业集群”
    assert (battery.source_region, battery.source_province) == (KeyRegion.YANGTZE, "320000")
    # 陈志远 is the district leader of the demo (an account's Person): matched, not made again
    assert (battery.lead_cadre.name, battery.lead_cadre.rank) == (
        "陈志远",
        PersonRank.DISTRICT_LEADER,
    )
    assert battery.lead_cadre.user is not None and battery.lead_cadre.user.username == "yc_leader"
    assert battery.sub_bureau.name == "新能源汽车装备专业招商分局"
    assert battery.investor_name == "江苏宁远新能源有限公司"

    chassis = got["专用车底盘项目"]  # a real Excel date, “/” and “—” blanks, a code
    assert chassis.code == "YC-2026-002"
    assert chassis.contract_date == dt.date(2026, 2, 1)
    assert (chassis.total_investment, chassis.foreign_capital) == (Decimal(30000), Decimal(500))
    assert chassis.out_of_city_capital == 0 and chassis.land_area is None
    assert chassis.notes == "以商招商引进" and chassis.cluster.name == "运输装备"

    cable = got["电力电缆扩产项目"]  # 在建, dates “2025.11.8” and “2026/1/20”
    assert cable.stage == Stage.CONSTRUCTION
    assert (cable.contract_date, cable.start_date) == (dt.date(2025, 11, 8), dt.date(2026, 1, 20))
    assert cable.land_area == Decimal("45.5")
    assert (cable.source_region, cable.source_province) == (KeyRegion.PEARL, "440000")
    assert cable.cluster.name == "电力电缆电器装备"  # written “…集群”

    farm = got["农机装备产业园"]  # 已投产, dates “2024年6月1日”, “25,000”, 境外-德国
    assert farm.stage == Stage.PRODUCTION
    assert (farm.contract_date, farm.start_date) == (dt.date(2024, 6, 1), dt.date(2024, 9, 1))
    assert (farm.total_investment, farm.foreign_capital) == (Decimal(25000), Decimal(1200))
    assert (farm.source_region, farm.source_country) == (KeyRegion.OVERSEAS, "德国")

    assert got["冷链物流中心项目"].stage == Stage.NEGOTIATION  # blank: from “三、在谈项目”
    assert got["智能电表项目"].stage == Stage.NEGOTIATION  # “在谈”
    assert got["智能电表项目"].source_province == "330000"


def test_it_records_a_first_stage_event_and_a_create_audit_per_project(tmp_path: Path) -> None:
    before = project_audits()
    run(messy_ledger(tmp_path / "台账.xlsx"))

    got = ours()
    events = StageEvent.objects.filter(project__in=got.values())
    assert events.count() == 6
    assert all(e.from_stage == "" and e.actor.username == "yc_staff" for e in events)
    assert events.get(project=got["新能源汽车电池包项目"]).event_date == dt.date(2026, 3, 15)
    assert project_audits() == before + 6
    audit = AuditEvent.objects.get(
        object_type="projects.project", object_id=str(got["电力电缆扩产项目"].pk)
    )
    assert audit.action == "create" and audit.username == "yc_staff"
    assert audit.area.code == "411702"
    assert audit.after == snapshot(got["电力电缆扩产项目"])


def test_it_writes_the_same_audit_snapshot_as_the_services(tmp_path: Path) -> None:
    run(messy_ledger(tmp_path / "台账.xlsx"))
    for project in ours().values():
        written = AuditEvent.objects.get(
            object_type="projects.project", object_id=str(project.pk), action="create"
        ).after
        assert written == snapshot(project)


def test_it_imports_the_same_ledger_twice_without_duplicates_or_audit_noise(
    tmp_path: Path,
) -> None:
    path = messy_ledger(tmp_path / "台账.xlsx")
    run(path)
    audits, events = project_audits(), StageEvent.objects.count()

    again = run(path)

    assert again.errors.lines() == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert Project.objects.filter(name__in=EXPECTED_NAMES).count() == 6
    assert project_audits() == audits and StageEvent.objects.count() == events
    assert {p.version for p in ours().values()} == {1}


def test_it_updates_a_changed_value_with_one_audit_event(tmp_path: Path) -> None:
    run(messy_ledger(tmp_path / "v1.xlsx"))
    chassis = ours()["专用车底盘项目"]
    audits = project_audits()

    outcome = run(messy_ledger(tmp_path / "v2.xlsx", signed=edited(SIGNED_ROWS, 1, 6, "31,000")))

    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 5)
    chassis.refresh_from_db()
    assert chassis.total_investment == Decimal(31000) and chassis.version == 2
    assert project_audits() == audits + 1
    audit = AuditEvent.objects.get(
        object_type="projects.project", object_id=str(chassis.pk), action="update"
    )
    assert audit.before["total_investment"] == "30000.0000"
    assert Decimal(audit.after["total_investment"]) == 31000
    assert set(audit.after) >= {"total_investment", "version"}
    assert "name" not in audit.after


def test_it_moves_an_existing_project_to_the_next_stage(tmp_path: Path) -> None:
    run(messy_ledger(tmp_path / "v1.xlsx"))
    outcome = run(messy_ledger(tmp_path / "v2.xlsx", signed=edited(SIGNED_ROWS, 0, 9, "已落地")))

    assert outcome.updated == 1, outcome.errors.lines()
    battery = ours()["新能源汽车电池包项目"]
    assert battery.stage == Stage.LANDED
    move = StageEvent.objects.get(project=battery, to_stage=Stage.LANDED)
    assert move.from_stage == Stage.SIGNED and move.actor.username == "yc_staff"


def test_it_refuses_to_skip_stages_on_reimport_and_writes_nothing(tmp_path: Path) -> None:
    run(messy_ledger(tmp_path / "v1.xlsx"))
    skipping = edited(edited(SIGNED_ROWS, 1, 9, "已投产"), 1, 11, "2026-04-01")
    outcome = run(messy_ledger(tmp_path / "v2.xlsx", signed=skipping))

    assert [(e.row, e.column) for e in outcome.errors] == [(ROW_OF["专用车底盘项目"], STAGE)]
    assert ours()["专用车底盘项目"].stage == Stage.SIGNED
    assert ours()["专用车底盘项目"].start_date is None


def test_it_writes_nothing_when_one_row_is_bad_and_names_row_and_column(tmp_path: Path) -> None:
    audits, events = project_audits(), StageEvent.objects.count()
    bad = edited(BUILDING_ROWS, 0, 10, "2025-13-45")

    outcome = run(messy_ledger(tmp_path / "台账.xlsx", building=bad))

    assert [(e.row, e.column, e.value) for e in outcome.errors] == [
        (ROW_OF["电力电缆扩产项目"], SIGNED_DATE, "2025-13-45")
    ]
    assert outcome.errors.lines()[0].startswith(f"{gettext('Row %(row)d') % {'row': 10}} [")
    assert outcome.created == 0 and ours() == {}
    assert project_audits() == audits and StageEvent.objects.count() == events


def test_it_lists_every_bad_row_not_just_the_first(tmp_path: Path) -> None:
    signed = edited(edited(SIGNED_ROWS, 0, 6, "一万二"), 1, 4, "氢能源")
    talks = edited(TALKS_ROWS, 1, 13, "张无忌")  # in the 人员库, but an officer
    PersonFactory(area=Area.objects.get(code="411702"), name="张无忌", rank=PersonRank.OFFICER)
    outcome = run(messy_ledger(tmp_path / "台账.xlsx", signed=signed, talks=talks))

    found = {(e.row, e.column): e.message for e in outcome.errors}
    assert set(found) == {
        (7, "投资额（万元）/计划总投资"),
        (8, "所属产业集群"),
        (15, "牵头领导"),
    }
    assert "一万二" in found[(7, "投资额（万元）/计划总投资")]
    assert "氢能源" in found[(8, "所属产业集群")] and "运输装备" in found[(8, "所属产业集群")]
    assert found[(15, "牵头领导")] == gettext(
        "The lead cadre must be a district leader or a division-level cadre."
    )
    assert ours() == {}


def flagged_note(row: int, *labels: str) -> str:
    return gettext("Row %(row)d imported, data to complete: %(items)s") % {
        "row": row,
        "items": "、".join(labels) if len(labels) > 1 else labels[0],
    }


def test_it_applies_the_stage_gates_of_the_services(tmp_path: Path) -> None:
    """Past a gate without its data: imported and flagged 资料待补 with what it lacks."""
    no_contract_date = edited(SIGNED_ROWS, 0, 10, "")
    no_start_date = edited(BUILDING_ROWS, 0, 11, "—")
    outcome = run(
        messy_ledger(tmp_path / "台账.xlsx", signed=no_contract_date, building=no_start_date)
    )

    assert outcome.errors.lines() == []
    assert outcome.created == 6
    assert flagged_note(7, gettext("Contract date")) in outcome.notes
    assert flagged_note(10, gettext("Construction start date")) in outcome.notes
    flagged = {p.name: [r.field for r in PROJECT.missing(p)] for p in ours().values()}
    assert sorted(flagged.values()) == [[], [], [], [], ["contract_date"], ["start_date"]]


def test_it_needs_the_contracted_amount_when_the_file_has_that_column(tmp_path: Path) -> None:
    """The column is there but blank: no default from 总投资, the project is flagged."""
    headers = ["项目名称", "项目进展", "签约日期", "签约金额（万元）", "总投资（万元）"]
    rows = [
        ["有金额项目", "签约", dt.date(2026, 1, 5), 800, 1000],
        ["缺金额项目", "签约", dt.date(2026, 1, 5), "", 1000],
    ]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", headers, rows))

    assert outcome.errors.lines() == []
    assert flagged_note(3, gettext("Contracted amount")) in outcome.notes
    lacking = Project.objects.get(name="缺金额项目")
    assert not lacking.contracted_amount
    assert [r.field for r in PROJECT.missing(lacking)] == ["contracted_amount"]
    assert PROJECT.missing(Project.objects.get(name="有金额项目")) == []


def test_it_flags_a_project_in_production_without_its_start_date(tmp_path: Path) -> None:
    headers = ["项目名称", "项目进展", "签约日期", "签约金额（万元）", "开工日期", "投产日期"]
    rows = [["已投产缺开工项目", "已投产", dt.date(2025, 1, 5), 800, "", dt.date(2026, 1, 5)]]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", headers, rows))

    assert outcome.errors.lines() == []
    assert outcome.notes[0] == flagged_note(2, gettext("Construction start date"))
    project = Project.objects.get(name="已投产缺开工项目")
    assert project.stage == Stage.PRODUCTION
    assert [r.field for r in PROJECT.missing(project)] == ["start_date"]


def test_it_still_refuses_the_whole_file_for_a_value_it_cannot_read(tmp_path: Path) -> None:
    headers = ["项目名称", "项目进展", "签约日期", "签约金额（万元）", "总投资（万元）"]
    rows = [
        ["缺金额项目", "签约", dt.date(2026, 1, 5), "", 1000],
        ["读不懂项目", "洽谈", "", "", "一千万"],
    ]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", headers, rows))

    assert [(e.row, e.column) for e in outcome.errors] == [(3, "总投资（万元）")]
    assert not Project.objects.filter(name__in=["缺金额项目", "读不懂项目"]).exists()


def test_it_reports_a_gate_added_to_the_lifecycle_table_past_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memo of gate answers keys on the table's rules: the second row differs only there."""
    land = Required("land_area", "用地面积", "签约须填写用地面积。")
    monkeypatch.setitem(PROJECT.gates, Stage.SIGNED, (*PROJECT.gates[Stage.SIGNED], land))
    headers = ["项目名称", "项目进展", "签约日期", "签约金额（万元）", "用地面积（亩）"]
    rows = [
        ["有用地项目", "签约", dt.date(2026, 1, 5), 800, 50],
        ["缺用地项目", "签约", dt.date(2026, 1, 5), 800, ""],
    ]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", headers, rows))

    assert outcome.errors.lines() == []
    assert [n for n in outcome.notes if "用地面积" in n] == [flagged_note(3, "用地面积")]
    assert PROJECT.missing(Project.objects.get(name="缺用地项目")) == [land]
    assert PROJECT.missing(Project.objects.get(name="有用地项目")) == []


def test_it_reports_a_not_future_rule_added_to_the_lifecycle_table_past_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule that is not missing data, added to the table, is still an error past the memo."""
    future = NotFuture("contract_date", "签约日期不能晚于今天。")
    monkeypatch.setitem(PROJECT.gates, Stage.LEAD, ())  # the table holds only what we add
    monkeypatch.setitem(PROJECT.gates, Stage.SIGNED, (*PROJECT.gates[Stage.SIGNED], future))
    headers = ["项目名称", "项目进展", "签约日期", "签约金额（万元）"]
    rows = [
        ["按时项目", "签约", dt.date(2026, 1, 5), 800],
        ["将来项目", "签约", timezone.localdate() + dt.timedelta(days=3), 800],
    ]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", headers, rows))

    found = [(e.row, e.column, e.message) for e in outcome.errors]
    assert found == [(3, "签约日期", "签约日期不能晚于今天。")]
    assert not Project.objects.filter(name="按时项目").exists()


def test_it_reports_a_date_order_added_to_the_lifecycle_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = DateOrder("contract_date", "start_date", "开工日期不能早于签约日期。")
    gates = PROJECT.gates[Stage.CONSTRUCTION]
    monkeypatch.setitem(PROJECT.gates, Stage.LEAD, ())  # the table holds only what we add
    monkeypatch.setitem(PROJECT.gates, Stage.CONSTRUCTION, (*gates, order))
    headers = ["项目名称", "项目进展", "签约日期", "签约金额（万元）", "开工日期"]
    rows = [
        ["按序项目", "开工", dt.date(2026, 1, 5), 800, dt.date(2026, 2, 1)],
        ["倒序项目", "开工", dt.date(2026, 1, 5), 800, dt.date(2025, 12, 1)],
    ]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", headers, rows))

    found = [(e.row, e.column, e.message) for e in outcome.errors]
    assert found == [(3, "开工日期", "开工日期不能早于签约日期。")]


def test_it_refuses_a_new_project_that_starts_paused(tmp_path: Path) -> None:
    rows = [["暂缓的新项目", "暂缓", "资金未到位"]]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", ["项目名称", "项目进展", "备注"], rows))

    assert [(e.row, e.column) for e in outcome.errors] == [(2, "项目进展")]
    assert not Project.objects.filter(name="暂缓的新项目").exists()


def test_it_pauses_an_existing_project_with_the_notes_as_reason(tmp_path: Path) -> None:
    headers = ["项目名称", "项目进展", "备注"]
    run(simple_ledger(tmp_path / "a.xlsx", headers, [["会暂缓的项目", "洽谈", ""]]))
    no_reason = run(simple_ledger(tmp_path / "b.xlsx", headers, [["会暂缓的项目", "暂缓", ""]]))
    assert [(e.row, e.column) for e in no_reason.errors] == [(2, "备注")]

    outcome = run(
        simple_ledger(tmp_path / "c.xlsx", headers, [["会暂缓的项目", "暂缓", "资金未到位"]])
    )

    assert outcome.updated == 1, outcome.errors.lines()
    project = Project.objects.get(name="会暂缓的项目")
    assert project.stage == Stage.PAUSED
    assert StageEvent.objects.get(project=project, to_stage=Stage.PAUSED).reason == "资金未到位"


def test_it_refuses_the_same_project_twice_in_one_file(tmp_path: Path) -> None:
    rows = [["重复项目", "线索"], ["别的项目", "线索"], ["重复 项目", "意向"]]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", ["项目名称", "项目进展"], rows))

    assert [(e.row, e.column) for e in outcome.errors] == [(4, "项目名称")]
    assert "2" in outcome.errors.sorted()[0].message
    assert not Project.objects.filter(name="别的项目").exists()


def test_it_matches_by_name_then_takes_the_code_without_duplicating(tmp_path: Path) -> None:
    run(simple_ledger(tmp_path / "a.xlsx", ["项目名称", "总投资"], [["后补编号项目", 100]]))
    outcome = run(
        simple_ledger(
            tmp_path / "b.xlsx", ["项目编号", "项目名称", "总投资"], [["XM-9", "后补编号项目", 100]]
        )
    )

    assert (outcome.created, outcome.updated) == (0, 1)
    assert Project.objects.get(name="后补编号项目").code == "XM-9"


def test_it_asks_for_the_code_when_two_projects_share_a_name(
    tmp_path: Path, make_project: Any
) -> None:
    make_project(name="同名项目", code="A-1")
    make_project(name="同名项目", code="A-2")
    outcome = run(simple_ledger(tmp_path / "l.xlsx", ["项目名称", "总投资"], [["同名项目", 100]]))

    assert [(e.row, e.column) for e in outcome.errors] == [(2, "项目名称")]
    assert Project.objects.filter(name="同名项目").count() == 2


def test_it_converts_units_written_in_the_header(tmp_path: Path) -> None:
    headers = ["项目名称", "计划总投资（亿元）", "利用外资（万美元）", "用地（公顷）"]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", headers, [["亿元项目", 1.5, 20, 2]]))

    assert outcome.errors.lines() == []
    project = Project.objects.get(name="亿元项目")
    assert project.total_investment == Decimal(15000)
    assert project.foreign_capital == Decimal(20)
    assert project.land_area == Decimal(30)


def test_it_refuses_a_money_column_in_the_wrong_currency(tmp_path: Path) -> None:
    headers = ["项目名称", "利用外资（万元）"]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", headers, [["币种错误项目", 20]]))

    assert len(outcome.errors) == 1 and "利用外资（万元）" in outcome.errors.sorted()[0].message
    assert not Project.objects.filter(name="币种错误项目").exists()


def test_it_writes_nothing_on_a_dry_run_but_reports_the_counts(tmp_path: Path) -> None:
    audits = project_audits()
    outcome = run(messy_ledger(tmp_path / "台账.xlsx"), dry_run=True)

    assert outcome.ok and outcome.created == 6
    assert ours() == {} and project_audits() == audits


def test_it_refuses_an_area_the_user_cannot_see(tmp_path: Path) -> None:
    outcome = run(messy_ledger(tmp_path / "台账.xlsx"), user="xp_staff")

    assert outcome.errors.lines() == [gettext("You may not import into this area.")]
    assert ours() == {}


def test_it_reimports_its_own_export_unchanged(
    tmp_path: Path, make_project: Any, enterprise: Any
) -> None:
    run(messy_ledger(tmp_path / "台账.xlsx"))
    make_project(name="带企业的项目", investor=enterprise, investor_name="", notes="第一行\n第二行")
    staff = User.objects.get(username="yc_staff")
    exported = tmp_path / "export.xlsx"
    rows = export_projects(user=staff, filters={}, target=str(exported), within=staff.area)
    audits = project_audits()

    outcome = run(exported)

    assert outcome.errors.lines() == []
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, rows)
    assert project_audits() == audits


def test_it_recognises_every_header_the_export_writes() -> None:
    for column in LEDGER_COLUMNS:
        assert any(column.header in spec.headers for spec in SPEC.columns if spec.key == column.key)


def test_it_skips_the_example_row_of_the_template(tmp_path: Path) -> None:
    from zhaoshang.imports.exports import write_template
    from zhaoshang.projects.importing import template

    path = tmp_path / "template.xlsx"
    with open(path, "wb") as handle:
        write_template(handle, template())

    outcome = run(path)

    assert outcome.ok and outcome.total_rows == 0 and outcome.created == 0


def test_it_refuses_ledger_dates_out_of_order_or_in_the_future(tmp_path: Path) -> None:
    headers = ["项目名称", "项目进展", "签约日期", "签约金额（万元）", "开工日期", "投产日期"]
    future = timezone.localdate() + dt.timedelta(days=30)
    rows = [
        [
            "按序投产项目",
            "投产",
            dt.date(2025, 1, 5),
            800,
            dt.date(2025, 3, 1),
            dt.date(2026, 1, 9),
        ],
        ["开工早于签约", "开工", dt.date(2025, 1, 5), 800, dt.date(2024, 12, 1), None],
        ["未来签约项目", "签约", future, 800, None, None],
    ]
    outcome = run(simple_ledger(tmp_path / "dates.xlsx", headers, rows))
    found = [(e.row, e.column) for e in outcome.errors]
    assert found == [(3, "开工日期"), (4, "签约日期")]
    assert not Project.objects.filter(name__in=[r[0] for r in rows]).exists()


# --- abbreviated unit names ----------------------------------------------------------------

UNIT_HEADERS = ["项目名称", "责任分局"]


def sub_bureaus() -> dict[str, str | None]:
    projects = Project.objects.filter(name__startswith="单位简称").select_related("sub_bureau")
    return {p.name: p.sub_bureau.name if p.sub_bureau else None for p in projects}


def test_it_resolves_a_unit_written_short_when_only_one_unit_fits(tmp_path: Path) -> None:
    rows = [
        ["单位简称一", "新能源汽车分局"],  # 新能源汽车 + 装备专业招商分局
        ["单位简称二", "专用车招商局"],  # 专用车 + 运输装备专业招商局
        ["单位简称三", "商务局"],
        ["单位简称四", "驻外办"],  # 驿城区驻外招商办事处
        ["单位简称五", "效能监察室"],
    ]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", UNIT_HEADERS, rows))

    assert outcome.errors.lines() == []
    assert sub_bureaus() == {
        "单位简称一": "新能源汽车装备专业招商分局",
        "单位简称二": "专用车运输装备专业招商局",
        "单位简称三": "驿城区商务局",
        "单位简称四": "驿城区驻外招商办事处",
        "单位简称五": "区纪委效能监察室",
    }


def test_it_refuses_a_short_unit_name_that_fits_several_and_names_them(tmp_path: Path) -> None:
    rows = [["单位简称一", "新能源汽车分局"], ["单位简称二", "督查室"]]
    audits = project_audits()

    outcome = run(simple_ledger(tmp_path / "l.xlsx", UNIT_HEADERS, rows))

    offices = ["区委督查室", "区政府目标督查室"]
    message = gettext(
        "“%(value)s” could be any of these units: %(choices)s. Write the unit's full name."
    )
    assert [(e.row, e.column, e.value, e.message) for e in outcome.errors] == [
        (3, "责任分局", "督查室", message % {"value": "督查室", "choices": brief_list(offices)})
    ]
    assert "区委督查室" in outcome.errors.lines()[0] and "全称" in outcome.errors.lines()[0]
    assert sub_bureaus() == {} and project_audits() == audits


def test_a_full_unit_name_wins_over_a_longer_unit_it_begins(tmp_path: Path) -> None:
    area = Area.objects.get(code="411702")
    office = Unit.objects.get(area=area, name="新能源汽车装备专业招商分局")
    Unit.objects.create(
        area=area, name="新能源汽车装备专业招商分局深圳联络组", kind=office.kind, parent=office
    )
    rows = [
        ["单位简称一", "新能源汽车装备专业招商分局"],
        ["单位简称二", "新能源汽车装备专业招商分局 深圳联络组"],
    ]
    outcome = run(simple_ledger(tmp_path / "l.xlsx", UNIT_HEADERS, rows))

    assert outcome.errors.lines() == []
    assert sub_bureaus() == {
        "单位简称一": "新能源汽车装备专业招商分局",
        "单位简称二": "新能源汽车装备专业招商分局深圳联络组",
    }

    short = run(
        simple_ledger(tmp_path / "s.xlsx", UNIT_HEADERS, [["单位简称三", "新能源汽车分局"]])
    )
    assert [e.value for e in short.errors] == ["新能源汽车分局"]
    assert "新能源汽车装备专业招商分局深圳联络组" in short.errors.lines()[0]


def test_a_unit_name_that_fits_none_is_refused_as_before(tmp_path: Path) -> None:
    rows = [["单位简称一", "电商物流分局"]]  # 电商现代物流专业招商分局: not a part of it

    outcome = run(simple_ledger(tmp_path / "l.xlsx", UNIT_HEADERS, rows))

    names = sorted(Unit.objects.filter(area__code="411702").values_list("name", flat=True))
    assert [e.message for e in outcome.errors] == [
        gettext("No unit “%(value)s” in this area. Known units: %(choices)s.")
        % {"value": "电商物流分局", "choices": brief_list(names)}
    ]


def test_a_bureau_ledger_as_sent_imports_flags_creates_cadres_and_reimports_unchanged(
    tmp_path: Path,
) -> None:
    """The issue's whole first day: merged title, two-row header, section, 小计/合计 and
    notes rows; a cadre who has no account; a 已投产 row without its 开工日期."""
    signed = edited(SIGNED_ROWS, 0, 13, "张卫东（副区长）")  # nobody of that name yet
    building = edited(BUILDING_ROWS, 1, 11, "")  # 农机装备产业园: 已投产, 开工时间 left blank
    path = messy_ledger(tmp_path / "bureau.xlsx", signed=signed, building=building)
    persons = Person.objects.count()

    outcome = run(path)

    assert outcome.errors.lines() == []
    assert (outcome.created, outcome.total_rows) == (6, 6)  # every data row, no heading or total
    got = ours()
    assert sum(p.total_investment for p in got.values()) == Decimal("76500.5")  # the 合计 row
    made = Person.objects.get(name="张卫东", area__code="411702")
    assert (made.post, made.rank, made.user) == ("副区长", PersonRank.DISTRICT_LEADER, None)
    assert got["新能源汽车电池包项目"].lead_cadre == made
    assert Person.objects.count() == persons + 1
    farm = got["农机装备产业园"]
    assert farm.stage == Stage.PRODUCTION and farm.start_date is None
    assert [r.field for r in PROJECT.missing(farm)] == ["start_date"]  # flagged 资料待补
    assert flagged_note(ROW_OF["农机装备产业园"], gettext("Construction start date")) in (
        outcome.notes
    )

    again = run(messy_ledger(tmp_path / "again.xlsx", signed=signed, building=building))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert Person.objects.count() == persons + 1


def test_a_bureau_ledger_with_an_unreadable_amount_names_it_and_writes_nothing(
    tmp_path: Path,
) -> None:
    building = edited(BUILDING_ROWS, 0, 6, "五千万左右")  # 电力电缆扩产项目's 计划总投资
    signed = edited(SIGNED_ROWS, 0, 13, "张卫东（副区长）")
    before = (Project.objects.count(), Person.objects.count(), AuditEvent.objects.count())

    outcome = run(messy_ledger(tmp_path / "bad.xlsx", signed=signed, building=building))

    assert [(e.row, e.column) for e in outcome.errors] == [
        (ROW_OF["电力电缆扩产项目"], "投资额（万元）/计划总投资")
    ]
    assert (Project.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == before
