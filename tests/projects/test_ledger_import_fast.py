"""The ledger import's fast paths store and report exactly what the ORM and validators would."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext

from tests.imports.ledgers import ensure_clusters, simple_ledger
from zhaoshang.core.models import Area, AuditEvent, Unit, User
from zhaoshang.imports import cells
from zhaoshang.imports.kinds import ImportOutcome, no_progress
from zhaoshang.imports.reading import UNIT_FAMILIES
from zhaoshang.projects import services
from zhaoshang.projects.choices import KeyRegion, Method, Stage
from zhaoshang.projects.importing import import_ledger, raw, writing
from zhaoshang.projects.importing.checks import SUSPECT, Unsure, screen_for
from zhaoshang.projects.importing.rows import _decimal_reader
from zhaoshang.projects.ledger import LEDGER_COLUMNS
from zhaoshang.projects.models import Project, StageEvent

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in LEDGER_COLUMNS]
CONTRACT = dt.date(2025, 9, 1)


@pytest.fixture(autouse=True)
def clusters(db: None) -> None:
    ensure_clusters()


def run(path: Path) -> ImportOutcome:
    return import_ledger(
        path=path,
        area=Area.objects.get(code="411702"),
        acting_user=User.objects.get(username="yc_staff"),
        dry_run=False,
        progress=no_progress,
    )


def ledger_row(number: int, **changes: Any) -> list[Any]:
    """A full ledger row (every column filled), in ``LEDGER_COLUMNS`` order."""
    values: dict[str, Any] = {
        "code": f"FAST-{number:04d}",
        "name": f"快速导入项目{number:04d}",
        "investor": "江苏快速投资有限公司",
        "cluster": "新能源汽车",
        "source_region": "江苏",
        "method": "产业链招商",
        "total_investment": 12000.5,
        "foreign_capital": 300.25,
        "out_of_city_capital": 8000,
        "land_area": 120.5,
        "stage": "已签约",
        "contract_date": CONTRACT,
        "contracted_amount": 11000.125,
        "start_date": "",
        "production_date": "",
        "key_level": "市重点",
        "sub_bureau": "新能源汽车装备专业招商分局",
        "lead_cadre": "陈志远",
        "responsible_chief": "刘国强",
        "frontline_sub_chief": "孙海涛（分局长）",
        "land_parcel": "装备产业集聚区 A-12 地块",
        "notes": "快速导入",
        "area": "",
    }
    values.update(changes)
    return [values[column.key] for column in LEDGER_COLUMNS]


def raw_row(table: str, pk: int) -> dict[str, Any]:
    """A row as the database driver returns it: no Django conversion in between."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def raw_after(event: AuditEvent) -> Any:
    """The audit row's ``after`` as stored (text on SQLite, jsonb decoded on PostgreSQL)."""
    stored = raw_row("core_auditevent", event.pk)["after"]
    return stored if isinstance(stored, str) else json.dumps(stored)


def test_it_stores_a_project_exactly_as_project_create_does(tmp_path: Path) -> None:
    outcome = run(simple_ledger(tmp_path / "l.xlsx", HEADERS, [ledger_row(1)]))
    assert outcome.errors.lines() == [] and outcome.created == 1
    fast = Project.objects.get(code="FAST-0001")
    area = fast.area
    staff = User.objects.get(username="yc_staff")
    slow = services.project_create(
        acting_user=staff,
        area=area,
        name="服务层创建的项目",
        stage=Stage.SIGNED,
        event_date=CONTRACT,
        code="SLOW-0001",
        investor_name="江苏快速投资有限公司",
        cluster=fast.cluster,
        source_region=KeyRegion.YANGTZE,
        source_province="320000",
        source_country="",
        method=Method.CHAIN,
        total_investment=Decimal("12000.5000"),
        foreign_capital=Decimal("300.2500"),
        out_of_city_capital=Decimal("8000.0000"),
        land_area=Decimal("120.50"),
        contract_date=CONTRACT,
        contracted_amount=Decimal("11000.1250"),
        sub_bureau=Unit.objects.get(area=area, name="新能源汽车装备专业招商分局"),
        lead_cadre=fast.lead_cadre,
        responsible_chief=fast.responsible_chief,
        frontline_sub_chief=fast.frontline_sub_chief,
        land_parcel="装备产业集聚区 A-12 地块",
        notes="快速导入",
    )

    differ = {"id", "code", "name", "created_at", "updated_at"}
    fast_row, slow_row = raw_row("projects_project", fast.pk), raw_row("projects_project", slow.pk)
    assert {k: v for k, v in fast_row.items() if k not in differ} == {
        k: v for k, v in slow_row.items() if k not in differ
    }
    assert fast_row["created_at"] == fast_row["updated_at"]
    assert fast.created_at.tzinfo is not None and fast.last_progress_on == CONTRACT

    audits = {
        a.object_id: a
        for a in AuditEvent.objects.filter(object_type="projects.project", action="create")
    }
    fast_audit, slow_audit = audits[str(fast.pk)], audits[str(slow.pk)]
    fast_text, slow_text = raw_after(fast_audit), raw_after(slow_audit)
    fast_json, slow_json = json.loads(fast_text), json.loads(slow_text)
    assert list(fast_json) == list(slow_json)  # same keys, same order
    assert {k: v for k, v in fast_json.items() if k not in differ} == {
        k: v for k, v in slow_json.items() if k not in differ
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", fast_json["created_at"])
    for name in ("username", "area_id", "user_id", "ip", "action", "object_type", "result"):
        assert getattr(fast_audit, name) == getattr(slow_audit, name), name
    assert fast_audit.before is None and fast_audit.object_repr == fast.name
    assert fast_audit.after == json.loads(json.dumps(_snapshot(fast)))

    fast_event = raw_row("projects_stageevent", StageEvent.objects.get(project=fast).pk)
    slow_event = raw_row("projects_stageevent", StageEvent.objects.get(project=slow).pk)
    same = {"from_stage", "to_stage", "event_date", "actor_id", "reason", "evidence_id"}
    assert {k: fast_event[k] for k in same} == {k: slow_event[k] for k in same}
    assert fast_event["note"] == gettext("Imported from %(file)s, row %(row)d") % {
        "file": "l.xlsx",
        "row": 2,
    }


def test_it_writes_the_audit_json_text_json_dumps_would(tmp_path: Path) -> None:
    tricky = {
        "name": 'A"B\\C %s 50% 😀\u2028项目',
        "notes": '第一行\n第二行 "引号" \\ \t尾',
        "land_parcel": "50%地块",
        "investor": "",
        "key_level": "",
    }
    outcome = run(simple_ledger(tmp_path / "l.xlsx", HEADERS, [ledger_row(1, **tricky)]))
    assert outcome.errors.lines() == []

    project = Project.objects.get(code="FAST-0001")
    audit = AuditEvent.objects.get(object_type="projects.project", object_id=str(project.pk))
    text = raw_after(audit)
    if connection.vendor == "sqlite":  # stored as written: the text itself must be json.dumps's
        assert text == json.dumps(json.loads(text))
    assert json.loads(text) == _snapshot(project)
    assert project.name == tricky["name"] and project.notes == tricky["notes"]


def _snapshot(project: Project) -> dict[str, Any]:
    from zhaoshang.core.snapshots import snapshot

    return snapshot(Project.objects.get(pk=project.pk))


def test_it_links_every_row_to_its_own_id_across_statements_and_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writing, "WRITE_CHUNK", 70)
    monkeypatch.setattr(raw, "ROWS_PER_STATEMENT", 16)
    before = Project.objects.count()
    rows = [ledger_row(n, stage=["线索", "意向", "已签约"][n % 3]) for n in range(1, 201)]

    outcome = run(simple_ledger(tmp_path / "l.xlsx", HEADERS, rows))

    assert outcome.errors.lines() == [] and outcome.created == 200
    assert Project.objects.count() == before + 200
    projects = {p.pk: p for p in Project.objects.filter(code__startswith="FAST-")}
    audits = AuditEvent.objects.filter(
        object_type="projects.project", object_id__in=[str(pk) for pk in projects]
    )
    assert sorted(int(a.object_id) for a in audits) == sorted(projects)
    for audit in audits:
        project = projects[int(audit.object_id)]
        assert audit.object_repr == project.name == f"快速导入项目{project.code[5:]}"
        assert audit.after["id"] == project.pk and audit.after["code"] == project.code
    events = StageEvent.objects.filter(project__in=projects)
    assert sorted(e.project_id for e in events) == sorted(projects)
    for event in events:
        project = projects[event.project_id]
        assert event.to_stage == project.stage
        row = int(project.code[5:]) + 1  # the Excel row number
        assert event.note == gettext("Imported from %(file)s, row %(row)d") % {
            "file": "l.xlsx",
            "row": row,
        }


def test_it_writes_with_few_statements(tmp_path: Path, django_assert_max_num_queries: Any) -> None:
    rows = [ledger_row(n) for n in range(1, 301)]
    path = simple_ledger(tmp_path / "l.xlsx", HEADERS, rows)

    with django_assert_max_num_queries(40):
        outcome = run(path)

    assert outcome.created == 300


def test_it_gives_back_the_connections_page_cache_after_writing(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]

    run(simple_ledger(tmp_path / "l.xlsx", HEADERS, [ledger_row(1)]))

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before != -raw.WRITE_CACHE_KIB


def test_it_writes_nothing_when_an_insert_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    from zhaoshang.projects.importing import creating

    def broken(*args: Any, **kwargs: Any) -> None:
        raise IntegrityError("simulated")

    monkeypatch.setattr(creating.FastCreate, "_audits", broken)
    count, audits = Project.objects.count(), AuditEvent.objects.count()
    path = simple_ledger(tmp_path / "l.xlsx", HEADERS, [ledger_row(1), ledger_row(2)])

    with pytest.raises(IntegrityError):
        run(path)

    assert Project.objects.count() == count and AuditEvent.objects.count() == audits
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] != -raw.WRITE_CACHE_KIB


def test_a_statement_the_database_refuses_raises_djangos_error_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real failure inside the bulk statement (multi-row INSERT or COPY), not a stub."""
    from django.db import IntegrityError

    from zhaoshang.projects.importing import creating

    at = creating.PROJECT_COLUMNS.index("name")
    python = creating.FastCreate._python

    def nameless(self: Any, *args: Any) -> list[list[Any]]:
        columns = python(self, *args)
        columns[at] = [None] * len(columns[at])  # NOT NULL column
        return columns

    monkeypatch.setattr(creating.FastCreate, "_python", nameless)
    count, events = Project.objects.count(), StageEvent.objects.count()
    path = simple_ledger(tmp_path / "l.xlsx", HEADERS, [ledger_row(1), ledger_row(2)])

    with pytest.raises(IntegrityError):
        run(path)

    assert Project.objects.count() == count and StageEvent.objects.count() == events


def test_it_reports_djangos_own_messages_and_writes_nothing(tmp_path: Path) -> None:
    count = Project.objects.count()
    rows = [
        ledger_row(1, name="长" * 201),
        ledger_row(2, total_investment=-5),
        ledger_row(3, land_area="1.234"),
        ledger_row(4, foreign_capital=1e13),
        ledger_row(5),
    ]

    outcome = run(simple_ledger(tmp_path / "l.xlsx", HEADERS, rows))

    got = [(e.row, e.column, e.message) for e in outcome.errors]
    assert got == [
        (2, "项目名称", _message("name", "长" * 201)),
        (3, "总投资（万元）", _message("total_investment", Decimal(-5))),
        (4, "用地面积（亩）", _message("land_area", Decimal("1.234"))),
        (5, "利用外资（万美元）", _message("foreign_capital", Decimal("1E+13"))),
    ]
    assert outcome.created == 0 and Project.objects.count() == count


def _message(name: str, value: Any) -> str:
    field = Project._meta.get_field(name)
    for validator in field.validators:
        try:
            validator(value)
        except ValidationError as exc:
            return " ".join(exc.messages)
    raise AssertionError(f"{name}={value!r} is valid")


def test_it_lists_every_bad_cell_of_a_row_the_fast_path_gave_up_on(tmp_path: Path) -> None:
    rows = [ledger_row(1, contract_date="2025-13-45", total_investment="很多"), ledger_row(2)]

    outcome = run(simple_ledger(tmp_path / "l.xlsx", HEADERS, rows))

    assert [(e.row, e.column) for e in outcome.errors] == [
        (2, "总投资（万元）"),
        (2, "签约日期"),
    ]
    assert not Project.objects.filter(code__startswith="FAST-").exists()


def test_it_reports_a_remembered_refusal_on_every_row_that_repeats_it(tmp_path: Path) -> None:
    rows = [
        ledger_row(1, cluster="不存在的集群"),
        ledger_row(2, cluster="不存在的集群", contract_date="2025-02-30"),
        ledger_row(3),
    ]

    outcome = run(simple_ledger(tmp_path / "l.xlsx", HEADERS, rows))

    assert [(e.row, e.column) for e in outcome.errors] == [
        (2, "所属产业集群"),
        (3, "所属产业集群"),
        (3, "签约日期"),
    ]
    assert len({e.message for e in outcome.errors if e.column == "所属产业集群"}) == 1
    assert outcome.created == 0


def test_it_reads_plain_numbers_as_the_slow_path_and_validators_would() -> None:
    field = Project._meta.get_field("total_investment")
    screen = screen_for(field)  # type: ignore[arg-type]
    assert screen is not None
    places = Decimal("0.0001")
    fast = _decimal_reader(Decimal(1), UNIT_FAMILIES["cny"], places, screen, (12, 4))
    rng = random.Random(7)  # noqa: S311 - reproducible samples
    samples = [0.0, -0.0, 1.0, 0.0001, 0.00001, 123.45678, 999999999999.0, 1e12, 1e12 - 0.5]
    samples += [999999999999.9999, -1.0, 1e20, 5e-5, 12000.5, 0.1 + 0.2]
    samples += [round(rng.uniform(0, 10 ** rng.randrange(1, 14)), rng.randrange(0, 7))]
    samples += [rng.uniform(0, 2e12) for _ in range(2000)]
    samples += [round(rng.uniform(0, 1e6), rng.randrange(0, 5)) for _ in range(2000)]
    for raw_value in samples:
        got = fast(raw_value)
        reference = cells.to_decimal(raw_value)
        assert reference is not None
        try:
            for validator in field.validators:
                validator(reference)
        except ValidationError:
            assert type(got) is Unsure, raw_value  # only the validators may decide
            continue
        if type(got) is Unsure:
            assert got.value == reference
            continue
        assert (
            got == reference.quantize(places)
            and got.as_tuple() == reference.quantize(places).as_tuple()
        ), raw_value


def test_it_refuses_numbers_that_are_not_finite() -> None:
    for value in (math.inf, -math.inf, math.nan):
        with pytest.raises(cells.CellError):
            cells.to_decimal(value)


def test_it_screens_text_by_the_fields_length() -> None:
    screen = screen_for(Project._meta.get_field("code"))  # type: ignore[arg-type]
    assert screen is not None
    assert screen("A" * 32) == "A" * 32
    assert screen("A" * 33) is SUSPECT


def test_it_keeps_choice_keys_and_names_as_the_regexes_made_them() -> None:
    def old_key(text: str) -> str:
        return re.sub(r"[\s()（）【】\[\]]", "", text.translate(cells._FULL_WIDTH)).lower()

    def old_name(value: Any) -> str:
        return re.sub(r"\s*[\r\n]+\s*", "", cells.to_text(value))

    rng = random.Random(3)  # noqa: S311 - reproducible samples
    alphabet = [chr(c) for c in range(0x3010)] + list("（）【】［］　ＡＢ\r\n ")
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        assert cells.choice_key(text) == old_key(text)
        assert cells.to_name(text) == old_name(text)
        plain = cells.plain_text(text)
        assert plain is None or plain == old_name(text)


def test_it_remembers_refusals_and_answers_by_type() -> None:
    calls: list[Any] = []

    def coerce(raw: Any) -> str:
        calls.append(raw)
        if raw == "坏":
            raise cells.CellError("bad")
        return f"{type(raw).__name__}:{raw}"

    run_it = cells.memoized(coerce)
    assert run_it(1) == "int:1" and run_it(1.0) == "float:1.0" and run_it(True) == "bool:True"
    for _ in range(2):
        with pytest.raises(cells.CellError, match="bad"):
            run_it("坏")
    assert run_it("1") == "str:1" and run_it("1") == "str:1"
    assert calls == [1, 1.0, True, "坏", "1"]


def test_it_records_the_callers_address_on_each_create_audit(tmp_path: Path) -> None:
    from zhaoshang.core.context import current_ip

    token = current_ip.set("10.1.2.3")
    try:
        outcome = run(simple_ledger(tmp_path / "l.xlsx", HEADERS, [ledger_row(1)]))
    finally:
        current_ip.reset(token)

    assert outcome.created == 1
    project = Project.objects.get(code="FAST-0001")
    audit = AuditEvent.objects.get(object_type="projects.project", object_id=str(project.pk))
    assert audit.ip == "10.1.2.3"


def test_a_failing_copy_stops_the_stream_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's worker thread: the first error reaches the caller; later chunks don't hang."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY runs on PostgreSQL only")
    from django.db import DataError

    sent: list[str] = []

    def failing(self: raw.RawInsert, *args: Any) -> None:
        sent.append(self.table)
        raise DataError("simulated")

    monkeypatch.setattr(writing, "WRITE_CHUNK", 5)  # 12 chunks: more puts than the queue holds
    monkeypatch.setattr(raw.RawInsert, "copy_rows", failing)
    count = Project.objects.count()
    path = simple_ledger(tmp_path / "l.xlsx", HEADERS, [ledger_row(n) for n in range(1, 61)])

    with pytest.raises(DataError):
        run(path)

    assert sent == ["projects_project"]  # nothing sent after the first failure
    assert Project.objects.count() == count
