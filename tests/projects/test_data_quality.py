"""资料待补: ledger rows past a gate without its data are flagged, listed, exported, cleared."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext
from python_calamine import CalamineWorkbook

from tests.imports.ledgers import simple_ledger
from zhaoshang.core.choices import AuditAction
from zhaoshang.core.models import Area, AuditEvent, User
from zhaoshang.imports.kinds import no_progress
from zhaoshang.projects import selectors, services
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.exports import export_incomplete
from zhaoshang.projects.importing import import_ledger
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
URL = "/projects/data-quality/"


@pytest.fixture
def flagged(make_project: Callable[..., Project]) -> Callable[..., Project]:
    """A project put at ``stage`` as a ledger import does, with only the data it was given."""

    def make(name: str, stage: str, area: Area | None = None, **fields: Any) -> Project:
        project = make_project(name)
        if area is not None:
            fields["area"] = area
        Project.objects.filter(pk=project.pk).update(stage=stage, **fields)
        project.refresh_from_db()
        return project

    return make


def listed(client: Any, query: str = "") -> dict[str, str]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    return {p.name: "、".join(missing) for p, missing in response.context["rows"]}


def test_it_lists_the_projects_an_import_flagged_with_what_they_lack(
    tmp_path: Path, client_for: Callable[[str], Any], make_project: Callable[..., Project]
) -> None:
    headers = ["项目名称", "项目进展", "签约日期", "签约金额（万元）", "开工日期", "投产日期"]
    rows = [
        ["投产缺开工", "已投产", dt.date(2025, 1, 5), 800, "", dt.date(2026, 1, 5)],
        ["签约缺金额", "签约", dt.date(2026, 1, 5), "", "", ""],
        ["签约齐全", "签约", dt.date(2026, 1, 5), 800, "", ""],
    ]
    outcome = import_ledger(
        path=simple_ledger(tmp_path / "l.xlsx", headers, rows),
        area=Area.objects.get(code="411702"),
        acting_user=User.objects.get(username="yc_staff"),
        dry_run=False,
        progress=no_progress,
    )
    assert outcome.errors.lines() == [] and outcome.created == 3
    make_project("线索项目")

    assert listed(client_for("yc_staff")) == {
        "投产缺开工": gettext("Construction start date"),
        "签约缺金额": gettext("Contracted amount"),
    }
    assert listed(client_for("yc_viewer")) == listed(client_for("zmd_city"))


def test_it_exports_the_same_rows_and_audits_the_export(
    flagged: Callable[..., Project], staff: User
) -> None:
    flagged("签约缺日期", Stage.SIGNED, contracted_amount=Decimal("800"))
    flagged("开工缺两项", Stage.CONSTRUCTION, contract_date=TODAY)
    buffer = io.BytesIO()

    count = export_incomplete(user=staff, filters={}, target=buffer)

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0)
    header, *rows = sheet.to_python(skip_empty_area=False)
    assert header == ["项目编号", "项目名称", "所属区域", "项目进展", "资料待补"]
    assert {row[1]: row[4] for row in rows} == {
        "签约缺日期": gettext("Contract date"),
        "开工缺两项": "、".join([gettext("Contracted amount"), gettext("Construction start date")]),
    }
    assert {row[3] for row in rows} == {"签约", "开工"}
    assert count == 2
    audit = AuditEvent.objects.get(action=AuditAction.EXPORT, object_repr="资料待补项目")
    assert audit.user == staff and audit.after["rows"] == 2


def test_it_exports_from_the_page_with_its_filter(
    flagged: Callable[..., Project], client_for: Callable[[str], Any]
) -> None:
    flagged("签约缺日期", Stage.SIGNED, contracted_amount=Decimal("800"))

    response = client_for("zmd_city").get(f"{URL}export.xlsx?area=411702")

    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert [r[1] for r in book.get_sheet_by_index(0).to_python()[1:]] == ["签约缺日期"]
    audit = AuditEvent.objects.get(action=AuditAction.EXPORT, object_repr="资料待补项目")
    assert audit.after == {"filters": {"area": Area.objects.get(code="411702").pk}, "rows": 1}


def test_it_clears_the_flag_when_the_data_is_filled_in(
    flagged: Callable[..., Project], staff: User, client_for: Callable[[str], Any]
) -> None:
    project = flagged("签约缺金额", Stage.SIGNED, contract_date=TODAY)
    client = client_for("yc_staff")
    assert "签约缺金额" in listed(client)
    detail = client.get(f"/projects/{project.pk}/").content.decode()
    assert "data-missing" in detail

    services.project_update(
        acting_user=staff,
        project=project,
        expected_version=project.version,
        contracted_amount=Decimal("800"),
    )

    assert listed(client) == {}
    assert "data-missing" not in client.get(f"/projects/{project.pk}/").content.decode()


def test_it_saves_an_unrelated_edit_of_a_flagged_project(
    flagged: Callable[..., Project], staff: User
) -> None:
    project = flagged("投产缺开工", Stage.PRODUCTION, contract_date=TODAY)

    services.project_update(
        acting_user=staff, project=project, expected_version=project.version, notes="已核实"
    )

    project.refresh_from_db()
    assert project.notes == "已核实"
    assert selectors.missing_labels(project) == [
        gettext("Contracted amount"),
        gettext("Construction start date"),
    ]


def test_it_still_refuses_to_empty_a_field_the_stage_needs(
    flagged: Callable[..., Project], staff: User
) -> None:
    project = flagged("签约缺金额", Stage.SIGNED, contract_date=TODAY)

    with pytest.raises(ValidationError) as caught:
        services.project_update(
            acting_user=staff, project=project, expected_version=project.version, contract_date=None
        )

    assert "contract_date" in caught.value.message_dict


def test_it_still_refuses_an_interactive_move_into_signed_without_the_amount(
    make_project: Callable[..., Project], staff: User
) -> None:
    project = make_project("洽谈项目", contract_date=TODAY)
    for stage in (Stage.INTENTION, Stage.NEGOTIATION):
        services.project_transition(acting_user=staff, project=project, to_stage=stage)

    with pytest.raises(ValidationError) as caught:
        services.project_transition(acting_user=staff, project=project, to_stage=Stage.SIGNED)

    assert "contracted_amount" in caught.value.message_dict
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATION


def test_it_hides_the_page_from_investors_and_other_districts(
    flagged: Callable[..., Project], client_for: Callable[[str], Any]
) -> None:
    flagged("驿城缺金额", Stage.SIGNED, contract_date=TODAY)
    flagged("西平缺金额", Stage.SIGNED, area=Area.objects.get(code="411721"), contract_date=TODAY)

    assert client_for("yc_investor").get(URL).status_code == 404
    assert client_for("yc_investor").get(f"{URL}export.xlsx").status_code == 404
    assert listed(client_for("xp_staff")) == {"西平缺金额": gettext("Contracted amount")}
    assert listed(client_for("yc_supervisor")) == {"驿城缺金额": gettext("Contracted amount")}
    assert set(listed(client_for("zmd_city"))) == {"驿城缺金额", "西平缺金额"}
    assert listed(client_for("zmd_city"), "area=411721") == {
        "西平缺金额": gettext("Contracted amount")
    }


def test_it_links_the_page_from_the_ledger(client_for: Callable[[str], Any]) -> None:
    assert URL in client_for("yc_viewer").get("/projects/").content.decode()


def _page_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx)


def test_it_pins_the_page_query_count(
    flagged: Callable[..., Project], client_for: Callable[[str], Any]
) -> None:
    client = client_for("yc_staff")
    flagged("p0", Stage.SIGNED, contract_date=TODAY)
    _page_queries(client)
    few = _page_queries(client)
    for i in range(1, 25):
        flagged(f"p{i}", Stage.PRODUCTION if i % 2 else Stage.SIGNED)

    assert _page_queries(client) == few
    assert len(listed(client)) == 25
