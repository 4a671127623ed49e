"""Export → import round trip of the project ledger: every row comes back unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories import PersonFactory
from tests.imports.ledgers import simple_ledger
from zhaoshang.core.choices import PersonRank
from zhaoshang.core.models import Area, AuditEvent, User
from zhaoshang.imports.kinds import ImportOutcome, no_progress
from zhaoshang.projects import services
from zhaoshang.projects.exports import export_projects
from zhaoshang.projects.importing import import_ledger
from zhaoshang.projects.models import Enterprise, Project

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def export_area(path: Path, username: str = "yc_staff") -> int:
    user = User.objects.get(username=username)
    return export_projects(user=user, filters={}, target=str(path), within=user.area)


def import_back(path: Path, *, dry_run: bool, username: str = "yc_staff") -> ImportOutcome:
    user = User.objects.get(username=username)
    assert user.area is not None
    return import_ledger(
        path=path, area=user.area, acting_user=user, dry_run=dry_run, progress=no_progress
    )


def stored() -> list[tuple[Any, ...]]:
    """Every project of the district as the database holds it (values and version)."""
    fields = [f.attname for f in Project._meta.concrete_fields if f.attname != "updated_at"]
    return list(Project.objects.filter(area__code="411702").order_by("pk").values_list(*fields))


def assert_round_trip(path: Path) -> None:
    rows = export_area(path)
    before, audits = stored(), AuditEvent.objects.count()

    for dry_run in (True, False):
        outcome = import_back(path, dry_run=dry_run)

        assert outcome.errors.lines() == []
        assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, rows)
        assert stored() == before
        assert AuditEvent.objects.count() == audits


def test_the_demo_ledger_imports_back_unchanged(tmp_path: Path) -> None:
    call_command("demo", "--quiet")  # every app's demo, as `zhaoshang demo` loads it
    assert Project.objects.filter(area__code="411702").count() > 60

    assert_round_trip(tmp_path / "驿城区台账.xlsx")


def test_stored_values_the_ledger_reads_differently_come_back_unchanged(tmp_path: Path) -> None:
    """Investors written like a registered enterprise, blank words, Windows line ends, spaces."""
    staff = User.objects.get(username="yc_staff")
    area = Area.objects.get(code="411702")
    services.enterprise_save(
        acting_user=staff,
        enterprise=Enterprise(area=area, name="往返（驻马店）有限公司", region_code="411702"),
    )

    def make(name: str, **fields: Any) -> None:
        services.project_create(
            acting_user=staff, area=area, name=name, event_date=dt.date(2025, 1, 5), **fields
        )

    make("往返企业同名项目", investor_name="往返(驻马店)有限公司")  # half-width brackets
    make("往返企业全名项目", investor_name="往返（驻马店）有限公司")
    make("往返空白词项目", investor_name="—", notes="无", land_parcel="/")
    make("往返换行项目", notes="第一行\r\n第二行\r第三行")
    make("往返空格项目", notes="  前后空格  ", land_parcel=" A-12 地块 ", investor_name=" 某 公司 ")

    assert_round_trip(tmp_path / "台账.xlsx")
    assert Project.objects.get(name="往返企业同名项目").investor_id is None


def test_a_lead_cadre_named_by_others_too_or_disabled_comes_back_unchanged(tmp_path: Path) -> None:
    """Namesakes are written “name（post）” and matched back; a bare shared name settles on the
    project's own lead cadre; elsewhere both are refused, saying how to write the name."""
    yicheng = Area.objects.get(code="411702")
    first, second = (
        PersonFactory(area=yicheng, name="王同名", post=post, rank=PersonRank.DIVISION)
        for post in ("区发改委主任", "区工信局局长")
    )
    gone = PersonFactory(area=yicheng, name="李离职", rank=PersonRank.DIVISION)
    staff = User.objects.get(username="yc_staff")
    for name, lead in (("往返同名领导项目", second), ("往返停用领导项目", gone)):
        services.project_create(
            acting_user=staff, area=yicheng, name=name, lead_cadre=lead, event_date=TODAY
        )
    gone.active = False
    gone.save(update_fields=["active"])

    assert_round_trip(tmp_path / "台账.xlsx")
    assert Project.objects.get(name="往返同名领导项目").lead_cadre == second

    headers = ["项目名称", "牵头领导", "总投资（万元）"]
    rows = [
        ["往返新项目一", "王同名", 10],
        ["往返新项目二", "李离职", 10],
        ["往返新项目三", "李离职", "很多"],  # listed with the other cell's error
        ["往返新项目四", "王同名(区发改委主任)", 10],  # ASCII brackets tell them apart
    ]
    outcome = import_back(simple_ledger(tmp_path / "新.xlsx", headers, rows), dry_run=True)

    shared = gettext(
        "There are %(n)d people called “%(name)s” in this area and above "
        "(%(posts)s); write it as “%(example)s”."
    ) % {
        "n": 2,
        "name": "王同名",
        "posts": "区发改委主任、区工信局局长",
        "example": "王同名（区发改委主任）",
    }
    disabled = gettext(
        "“%(value)s” is no longer active in the people register: they can only stay "
        "on the projects they already have."
    ) % {"value": "李离职"}
    found = [(e.row, e.column, e.message) for e in outcome.errors if e.column == "牵头领导"]
    assert found == [(2, "牵头领导", shared), (3, "牵头领导", disabled), (4, "牵头领导", disabled)]
    assert [e.row for e in outcome.errors if e.column != "牵头领导"] == [4]
    assert outcome.new_persons == []
    only_good = simple_ledger(tmp_path / "好.xlsx", headers, [rows[3]])
    assert import_back(only_good, dry_run=False).created == 1
    assert Project.objects.get(name="往返新项目四").lead_cadre == first
