"""The ledger's 所属区域 (zone projects round-trip) and its read-only 重点项目级别 column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from tests.imports.ledgers import simple_ledger
from zhaoshang.construction.models import KeyProjectEntry
from zhaoshang.construction.services.investment import key_entry_add
from zhaoshang.core.models import Area, AuditEvent, User
from zhaoshang.imports.kinds import ImportOutcome, no_progress
from zhaoshang.projects import services
from zhaoshang.projects.exports import export_projects
from zhaoshang.projects.importing import import_ledger
from zhaoshang.projects.ledger import LEDGER_COLUMNS
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

ZONE = "411702500"  # 驻马店装备产业集聚区, the demo's zone under 驿城区
HEADERS = [column.header for column in LEDGER_COLUMNS]


def run(path: Path, *, dry_run: bool = False, username: str = "yc_staff") -> ImportOutcome:
    user = User.objects.get(username=username)
    assert user.area is not None
    return import_ledger(
        path=path, area=user.area, acting_user=user, dry_run=dry_run, progress=no_progress
    )


def stored() -> list[tuple[Any, ...]]:
    fields = [f.attname for f in Project._meta.concrete_fields if f.attname != "updated_at"]
    return list(
        Project.objects.filter(area__path__startswith=Area.objects.get(code="411702").path)
        .order_by("pk")
        .values_list(*fields)
    )


@pytest.fixture
def zone_project() -> Project:
    staff = User.objects.get(username="yc_staff")
    project = services.project_create(
        acting_user=staff,
        area=Area.objects.get(code=ZONE),
        name="集聚区汽车零部件项目",
        code="ZONE-001",
        investor_name="某零部件公司",
        event_date=dt.date(2025, 3, 1),
    )
    key_entry_add(
        acting_user=staff,
        project=project,
        year=timezone.localdate().year,
        level="city",
        planned_investment=0,
    )
    return project


def test_a_zone_project_comes_back_to_its_zone_unchanged(tmp_path: Path, zone_project):
    district = Area.objects.get(code="411702")
    staff = User.objects.get(username="yc_staff")
    services.project_create(acting_user=staff, area=district, name="区本级项目", code="ZONE-002")
    path = tmp_path / "台账.xlsx"
    rows = export_projects(user=staff, filters={}, target=str(path), within=district)
    before, audits = stored(), AuditEvent.objects.count()
    for dry_run in (True, False):
        outcome = run(path, dry_run=dry_run)
        assert outcome.errors.lines() == []
        assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, rows)
        assert stored() == before
        assert AuditEvent.objects.count() == audits
    assert Project.objects.get(code="ZONE-001").area.code == ZONE


def _row(name: str, **cells: Any) -> list[Any]:
    values = {"name": name, "total_investment": 100, **cells}
    return [values.get(column.key, "") for column in LEDGER_COLUMNS]


def test_a_new_row_goes_to_the_area_it_names_or_the_importing_area(tmp_path: Path):
    rows = [
        _row("新集聚区项目", area="驻马店装备产业集聚区"),
        _row("按代码的集聚区项目", area=ZONE),
        _row("未写区域的项目"),
    ]
    outcome = run(simple_ledger(tmp_path / "新.xlsx", HEADERS, rows))
    assert outcome.errors.lines() == [] and outcome.created == 3
    areas = dict(
        Project.objects.filter(name__in=[r[1] for r in rows]).values_list("name", "area__code")
    )
    assert areas == {"新集聚区项目": ZONE, "按代码的集聚区项目": ZONE, "未写区域的项目": "411702"}
    audit = AuditEvent.objects.get(object_type="projects.project", object_repr="新集聚区项目")
    assert audit.area.code == ZONE


def test_an_area_beyond_the_importers_reach_is_a_row_error_and_nothing_is_written(
    tmp_path: Path,
):
    before = Project.objects.count()
    rows = [_row("好项目"), _row("越界项目", area="西平县")]
    outcome = run(simple_ledger(tmp_path / "越界.xlsx", HEADERS, rows))
    expected = gettext("The area “%(value)s” is not %(area)s or an area below it.") % {
        "value": "西平县",
        "area": "驿城区",
    }
    assert [(e.row, e.column, e.message) for e in outcome.errors] == [(3, "所属区域", expected)]
    assert Project.objects.count() == before


def test_the_key_level_column_is_read_only_and_reported(tmp_path: Path, zone_project):
    entries = KeyProjectEntry.objects.count()
    rows = [
        _row("写了级别的新项目", key_level="省重点"),
        _row("级别乱写的项目", key_level="国家级"),
    ]
    outcome = run(simple_ledger(tmp_path / "级别.xlsx", HEADERS, rows))
    assert outcome.errors.lines() == [] and outcome.created == 2
    assert KeyProjectEntry.objects.count() == entries
    assert any("重点项目级别" in note for note in outcome.notes)
