"""The ledger's 牵头领导 column names Persons: matched in the area and above, or created once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from tests.factories import PersonFactory
from tests.imports.ledgers import simple_ledger
from zhaoshang.core.choices import PersonRank
from zhaoshang.core.models import Area, AuditEvent, Person, User
from zhaoshang.imports.kinds import ImportOutcome, no_progress
from zhaoshang.projects.importing import import_ledger
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

HEADERS = ["项目名称", "牵头领导", "总投资（万元）"]


def run(path: Path, *, dry_run: bool = False) -> ImportOutcome:
    return import_ledger(
        path=path,
        area=Area.objects.get(code="411702"),
        acting_user=User.objects.get(username="yc_staff"),
        dry_run=dry_run,
        progress=no_progress,
    )


def ledger(tmp_path: Path, rows: list[list[Any]], name: str = "台账.xlsx") -> Path:
    path = simple_ledger(tmp_path / name, HEADERS, rows)
    assert isinstance(path, Path)
    return path


def people() -> int:
    return Person.objects.count()


def test_it_lists_unknown_names_on_a_dry_run_and_creates_each_once_on_the_real_one(
    tmp_path: Path,
) -> None:
    rows = [
        ["人员项目一", "张卫东（副区长）", 10],
        ["人员项目二", "马俊峰", 10],
        ["人员项目三", "张卫东（副区长）", 10],  # the same person again: one Person
        ["人员项目四", "李建国(区人大常委会主任)", 10],
        ["人员项目五", "", 10],
    ]
    path = ledger(tmp_path, rows)
    before = (people(), Project.objects.count(), AuditEvent.objects.count())
    person_audits = AuditEvent.objects.filter(object_type="core.person", action="create").count()

    dry = run(path, dry_run=True)
    assert dry.errors.lines() == []
    assert dry.new_persons == ["张卫东（副区长）", "马俊峰", "李建国（区人大常委会主任）"]
    note = gettext("%(n)d new person(s) will be created: %(names)s") % {
        "n": 3,
        "names": "张卫东（副区长）、马俊峰、李建国（区人大常委会主任）",
    }
    assert note in dry.notes
    assert (people(), Project.objects.count(), AuditEvent.objects.count()) == before

    real = run(path)
    assert real.errors.lines() == [] and real.created == 5
    made = {p.name: p for p in Person.objects.filter(area__code="411702", user=None)}
    assert (made["张卫东"].post, made["张卫东"].rank) == ("副区长", PersonRank.DISTRICT_LEADER)
    assert (made["马俊峰"].post, made["马俊峰"].rank) == ("", PersonRank.DIVISION)
    assert made["李建国"].rank == PersonRank.DISTRICT_LEADER
    assert people() == before[0] + 3
    led = Project.objects.filter(name__in=["人员项目一", "人员项目三"], lead_cadre=made["张卫东"])
    assert led.count() == 2
    audits = AuditEvent.objects.filter(object_type="core.person", action="create").count()
    assert audits == person_audits + 3

    again = run(ledger(tmp_path, rows, "again.xlsx"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert again.new_persons == [] and people() == before[0] + 3


def test_a_bracketed_post_or_unit_tells_namesakes_apart(tmp_path: Path) -> None:
    yicheng, city = Area.objects.get(code="411702"), Area.objects.get(code="411700")
    deputy = PersonFactory(
        area=yicheng, name="陈同名", post="副区长", rank=PersonRank.DISTRICT_LEADER
    )
    PersonFactory(area=city, name="陈同名", post="局长", rank=PersonRank.CHIEF)
    unit = deputy.area.units.get(name="驿城区人民政府")
    cadre = PersonFactory(area=yicheng, name="刘同名", unit=unit, rank=PersonRank.DIVISION)
    PersonFactory(area=yicheng, name="刘同名", rank=PersonRank.DIVISION)
    rows = [["同名项目一", "陈同名（副区长）", 10], ["同名项目二", "刘同名(驿城区人民政府)", 10]]

    outcome = run(ledger(tmp_path, rows))

    assert outcome.errors.lines() == [] and outcome.new_persons == []
    assert Project.objects.get(name="同名项目一").lead_cadre == deputy
    assert Project.objects.get(name="同名项目二").lead_cadre == cadre


def test_an_ambiguous_name_is_a_row_error_saying_how_to_write_it(tmp_path: Path) -> None:
    yicheng, city = Area.objects.get(code="411702"), Area.objects.get(code="411700")
    PersonFactory(area=yicheng, name="陈同名", post="副区长", rank=PersonRank.DISTRICT_LEADER)
    PersonFactory(area=city, name="陈同名", post="局长", rank=PersonRank.CHIEF)
    before = people(), Project.objects.count()

    outcome = run(ledger(tmp_path, [["同名项目", "陈同名", 10], ["另一项目", "新人名", 10]]))

    message = gettext(
        "There are %(n)d people called “%(name)s” in this area and above "
        "(%(posts)s); write it as “%(example)s”."
    ) % {"n": 2, "name": "陈同名", "posts": "副区长、局长", "example": "陈同名（副区长）"}
    assert [(e.row, e.column, e.message) for e in outcome.errors] == [(2, "牵头领导", message)]
    assert (people(), Project.objects.count()) == before  # not even the new name


def test_an_unknown_post_for_a_known_name_is_refused(tmp_path: Path) -> None:
    yicheng = Area.objects.get(code="411702")
    PersonFactory(area=yicheng, name="陈同名", post="副区长", rank=PersonRank.DISTRICT_LEADER)
    outcome = run(ledger(tmp_path, [["同名项目", "陈同名（书记）", 10]]))
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "牵头领导")]
    assert "陈同名（副区长）" in outcome.errors.lines()[0]


def test_a_person_of_the_wrong_rank_is_refused_with_the_rows_other_problems(
    tmp_path: Path,
) -> None:
    PersonFactory(area=Area.objects.get(code="411702"), name="周专员", rank=PersonRank.OFFICER)
    before = Project.objects.count()
    outcome = run(ledger(tmp_path, [["级别项目", "周专员", "很多"]]))
    assert sorted((e.row, e.column) for e in outcome.errors) == [
        (2, "总投资（万元）"),
        (2, "牵头领导"),
    ]
    lead = [e.message for e in outcome.errors if e.column == "牵头领导"]
    assert lead == [gettext("The lead cadre must be a district leader or a division-level cadre.")]
    assert Project.objects.count() == before


def test_a_person_of_another_county_is_not_matched(tmp_path: Path) -> None:
    xiping = Area.objects.get(code="411721")
    PersonFactory(area=xiping, name="西平领导", post="副县长", rank=PersonRank.DISTRICT_LEADER)
    outcome = run(ledger(tmp_path, [["外县项目", "西平领导", 10]]))
    project = Project.objects.get(name="外县项目")
    assert outcome.new_persons == ["西平领导"]  # a new Person of 驿城区, not 西平县's
    assert project.lead_cadre.area.code == "411702"


def test_it_resolves_persons_without_a_query_per_row(tmp_path: Path) -> None:
    names = ["甲领导", "乙领导（副区长）", ""]

    def queries(count: int, tag: str) -> int:
        rows = [[f"{tag}{i}", names[i % 3], 10] for i in range(count)]
        with CaptureQueriesContext(connection) as done:
            outcome = run(ledger(tmp_path, rows, f"{tag}.xlsx"), dry_run=True)
        assert outcome.errors.lines() == [] and len(outcome.new_persons) == 2
        return len(done.captured_queries)

    assert queries(60, "多") == queries(6, "少")


def test_the_chief_and_sub_chief_columns_take_their_ranks(tmp_path: Path) -> None:
    yicheng = Area.objects.get(code="411702")
    PersonFactory(area=yicheng, name="周专员", rank=PersonRank.OFFICER)
    headers = ["项目名称", "主抓局长", "带队分局长"]
    rows = [["主抓项目一", "刘新局", "孙新分（分局长）"], ["主抓项目二", "周专员", "周专员"]]
    path = simple_ledger(tmp_path / "链.xlsx", headers, rows)
    assert isinstance(path, Path)

    refused = run(path)
    assert sorted((e.row, e.column) for e in refused.errors) == [(3, "主抓局长"), (3, "带队分局长")]

    outcome = run(simple_ledger(tmp_path / "好.xlsx", headers, rows[:1]))  # type: ignore[arg-type]
    project = Project.objects.get(name="主抓项目一")
    assert outcome.errors.lines() == []
    assert project.responsible_chief.rank == PersonRank.CHIEF
    sub_chief = project.frontline_sub_chief
    assert (sub_chief.name, sub_chief.post, sub_chief.rank) == ("孙新分", "分局长", "sub_chief")
