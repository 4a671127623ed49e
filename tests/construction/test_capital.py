"""Paid-in capital (到位资金): service, API and pages — happy path, bad input, versions, 404s."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from python_calamine import CalamineWorkbook

from tests.helpers import assert_visibility, signed_in_client
from tests.projects.conftest import call
from zhaoshang.construction.models import PaidInCapital
from zhaoshang.construction.services import capital as services
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.core.versions import ConflictError
from zhaoshang.projects import services as project_services
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db
YEAR = 2025
API = "/api/v1/paid-in-capital"
D = Decimal


def make_project(
    username: str = "yc_staff", name: str = "到位资金测试项目", signed: bool = True
) -> Project:
    staff = User.objects.get(username=username)
    project = project_services.project_create(
        acting_user=staff,
        area=staff.area,
        name=name,
        total_investment=D(8000),
        event_date=dt.date(2024, 5, 1),
    )
    if signed:
        for stage, day in (("intention", 2), ("negotiation", 3), ("signed", 4)):
            extra: dict[str, Any] = {}
            if stage == "signed":
                extra = {"contract_date": dt.date(2024, 6, day), "contracted_amount": D(8000)}
            project_services.project_transition(
                acting_user=staff,
                project=project,
                to_stage=stage,
                event_date=dt.date(2024, 6, day),
                **extra,
            )
    return project


@pytest.fixture
def project() -> Project:
    return make_project()


def written() -> tuple[int, int]:
    return PaidInCapital.objects.count(), AuditEvent.objects.count()


def body(project: Project, **changes: Any) -> dict[str, Any]:
    data = {
        "project_id": project.pk,
        "year": YEAR,
        "month": 3,
        "foreign_capital": "120.5",
        "out_of_city_capital": "3000",
    }
    return {**data, **changes}


# --- the service ---------------------------------------------------------------------------


def test_it_reports_corrects_as_a_new_version_and_audits(project):
    staff = User.objects.get(username="yc_staff")
    first = services.capital_report(
        acting_user=staff,
        project=project,
        year=YEAR,
        month=3,
        foreign_capital=D("100"),
        out_of_city_capital=D("2000"),
    )
    same = services.capital_report(
        acting_user=staff,
        project=project,
        year=YEAR,
        month=3,
        foreign_capital=D("100"),
        out_of_city_capital=D("2000"),
    )
    assert services.is_unchanged(same) and same.pk == first.pk
    fixed = services.capital_report(
        acting_user=staff,
        project=project,
        year=YEAR,
        month=3,
        foreign_capital=D("90"),
        out_of_city_capital=D("2000"),
        expected_version=1,
    )
    assert fixed.version == 2
    first.refresh_from_db()
    assert first.is_current is False and first.foreign_capital == D("100")
    events = AuditEvent.objects.filter(object_type="construction.paidincapital")
    assert [e.action for e in events.order_by("pk")] == ["create", "update"]
    with pytest.raises(ConflictError):
        services.capital_report(
            acting_user=staff,
            project=project,
            year=YEAR,
            month=3,
            foreign_capital=D("1"),
            out_of_city_capital=D("1"),
            expected_version=1,
        )
    assert PaidInCapital.objects.filter(project=project).count() == 2


def test_it_refuses_a_project_that_has_not_signed():
    early = make_project(name="未签约项目", signed=False)
    with pytest.raises(ValidationError) as caught:
        services.capital_report(
            acting_user=None,
            project=early,
            year=YEAR,
            month=1,
            foreign_capital=D(1),
            out_of_city_capital=D(1),
        )
    assert "project" in caught.value.message_dict
    assert not PaidInCapital.objects.exists()


# --- the API -------------------------------------------------------------------------------


def test_it_creates_corrects_and_lists_through_the_api(project):
    client = signed_in_client("yc_staff")
    created = call(client, "post", API, body(project))
    assert created.status_code == 201, created.data
    assert (created.data["version"], created.data["foreign_capital"]) == (1, "120.5000")
    same = call(client, "post", API, body(project))
    assert same.status_code == 200 and same.data["unchanged"] is True
    fixed = call(client, "post", API, body(project, out_of_city_capital="3500", version=1))
    assert fixed.status_code == 201 and fixed.data["version"] == 2
    stale = call(client, "post", API, body(project, out_of_city_capital="1", version=1))
    assert stale.status_code == 409
    call(client, "post", API, body(project, month=4, foreign_capital="0"))
    listed = call(client, "get", f"{API}?year={YEAR}&area=411702")
    assert listed.data["count"] == 2
    assert listed.data["foreign_capital_total"] == "120.5000"
    assert listed.data["out_of_city_capital_total"] == "6500.0000"
    history = call(client, "get", f"{API}/{project.pk}/{YEAR}/3/history")
    assert [(h["version"], h["is_current"]) for h in history.data] == [(2, True), (1, False)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"foreign_capital": "-1"}, "foreign_capital"),
        ({"out_of_city_capital": "-0.5"}, "out_of_city_capital"),
        ({"foreign_capital": "abc"}, "foreign_capital"),
        ({"month": 13}, "month"),
        ({"month": "x"}, "month"),
        ({"year": 2999}, "year"),
        ({"month": 12, "year": dt.date.today().year + 1}, "year"),
    ],
)
def test_it_refuses_bad_input_with_422_naming_the_field(project, changes, field):
    before = written()
    response = call(signed_in_client("yc_staff"), "post", API, body(project, **changes))
    assert response.status_code == 422, response.content
    assert field in response.data["errors"] or (
        field == "year" and "month" in response.data["errors"]
    )
    assert written() == before


def test_it_refuses_a_future_month_naming_the_month(project):
    today = dt.date.today()
    future = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    before = written()
    response = call(
        signed_in_client("yc_staff"), "post", API, body(project, year=future[0], month=future[1])
    )
    assert response.status_code == 422 and "month" in response.data["errors"]
    assert written() == before


def test_it_hides_another_areas_project_from_the_api(project):
    before = written()
    response = call(signed_in_client("xp_staff"), "post", API, body(project))
    assert response.status_code == 404
    assert written() == before
    assert_visibility(
        f"{API}/{project.pk}/{YEAR}/3/history",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200},
    )
    services.capital_report(
        acting_user=None,
        project=project,
        year=YEAR,
        month=3,
        foreign_capital=D(1),
        out_of_city_capital=D(1),
    )
    listed = call(signed_in_client("xp_staff"), "get", f"{API}?year={YEAR}")
    assert listed.data["count"] == 0


def test_it_refuses_a_reader_with_403(project):
    response = call(signed_in_client("yc_viewer"), "post", API, body(project))
    assert response.status_code == 403
    assert not PaidInCapital.objects.exists()


# --- the pages -----------------------------------------------------------------------------


def page_url(project: Project) -> str:
    return f"/construction/projects/{project.pk}/paid-in-capital/{YEAR}/"


def test_it_enters_a_month_on_the_project_page_and_shows_the_panel(project):
    client = signed_in_client("yc_staff")
    form = {"month": 5, "foreign_capital": "10", "out_of_city_capital": "200", "note": ""}
    response = client.post(page_url(project), form)
    assert response.status_code == 302
    report = PaidInCapital.objects.get(project=project)
    assert (report.month, report.out_of_city_capital) == (5, D("200"))
    detail = client.get(f"/projects/{project.pk}/")
    assert detail.status_code == 200
    assert "construction/_project_capital.html" in [t.name for t in detail.templates]


def test_it_shows_a_bad_amount_on_the_form_and_writes_nothing(project):
    before = written()
    form = {"month": 5, "foreign_capital": "-3", "out_of_city_capital": "200"}
    response = signed_in_client("yc_staff").post(page_url(project), form)
    assert response.status_code == 400
    assert "foreign_capital" in response.context["form"].errors
    assert written() == before


def test_it_hides_the_project_page_from_another_county(project):
    assert_visibility(page_url(project), owner="yc_staff", outsider="xp_staff")
    before = written()
    form = {"month": 5, "foreign_capital": "1", "out_of_city_capital": "1"}
    assert signed_in_client("xp_staff").post(page_url(project), form).status_code == 404
    assert written() == before


def test_it_lists_an_areas_year_with_totals_in_fixed_queries(
    project, django_assert_max_num_queries
):
    for month in range(1, 13):
        services.capital_report(
            acting_user=None,
            project=project,
            year=YEAR,
            month=month,
            foreign_capital=D(month),
            out_of_city_capital=D(100),
        )
    other = make_project(name="另一个到位资金项目")
    for month in (1, 2):
        services.capital_report(
            acting_user=None,
            project=other,
            year=YEAR,
            month=month,
            foreign_capital=D(0),
            out_of_city_capital=D(50),
        )
    client = signed_in_client("yc_staff")
    url = f"/construction/paid-in-capital/?year={YEAR}&area=411702"
    client.get(url)  # warm the session
    with django_assert_max_num_queries(10):
        page = client.get(url)
    assert page.status_code == 200
    totals = page.context["totals"]
    assert (totals.reports, totals.foreign_capital, totals.out_of_city_capital) == (
        14,
        D("78"),
        D("1300"),
    )
    assert signed_in_client("xp_staff").get(url).context["totals"].reports == 0


def test_it_exports_the_list_and_audits_the_export(project):
    services.capital_report(
        acting_user=None,
        project=project,
        year=YEAR,
        month=2,
        foreign_capital=D("7.5"),
        out_of_city_capital=D(30),
    )
    response = signed_in_client("yc_staff").get(
        f"/construction/paid-in-capital/export.xlsx?year={YEAR}"
    )
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and rows[1][2] == project.name and float(rows[1][5]) == 7.5
    assert AuditEvent.objects.filter(object_type="construction.paidincapital", action="export")


def test_it_prefills_a_correction_and_refuses_a_stale_one_on_the_page(project):
    services.capital_report(
        acting_user=None,
        project=project,
        year=YEAR,
        month=4,
        foreign_capital=D(10),
        out_of_city_capital=D(20),
    )
    client = signed_in_client("yc_staff")
    page = client.get(f"{page_url(project)}?month=4")
    form = page.context["form"]
    assert (form.initial["foreign_capital"], form.initial["version"]) == (D(10), 1)
    services.capital_report(  # someone else corrects April meanwhile
        acting_user=None,
        project=project,
        year=YEAR,
        month=4,
        foreign_capital=D(11),
        out_of_city_capital=D(20),
    )
    before = written()
    stale = {"month": 4, "foreign_capital": "12", "out_of_city_capital": "20", "version": 1}
    response = client.post(page_url(project), stale)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert written() == before
