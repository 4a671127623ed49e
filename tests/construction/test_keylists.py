"""Key-project list pages and services: add/update/remove with refusals, list with totals,
Excel export (audited), the project-year page, the 404 matrix and query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from python_calamine import CalamineWorkbook

from tests.helpers import assert_visibility, signed_in_client
from zhaoshang.construction.models import KeyPlanRollup, KeyProjectEntry, MonthlyInvestment
from zhaoshang.construction.selectors import investment as selectors
from zhaoshang.construction.services import investment as services
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.projects import services as project_services
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def staff() -> User:
    return User.objects.get(username="yc_staff")


@pytest.fixture
def project(staff: User) -> Project:
    return project_services.project_create(
        acting_user=staff,
        area=staff.area,
        name="清单测试项目",
        total_investment=Decimal(9000),
        event_date=dt.date(2024, 2, 1),
    )


def add(staff, project, level="city", plan="1000"):  # type: ignore[no-untyped-def]
    return services.key_entry_add(
        acting_user=staff, project=project, year=YEAR, level=level, planned_investment=Decimal(plan)
    )


def test_it_adds_a_project_to_several_lists_and_counts_it_once(staff, project) -> None:  # type: ignore[no-untyped-def]
    add(staff, project, "city", "1000")
    add(staff, project, "province", "1500")
    plan = KeyPlanRollup.objects.get(area=staff.area, year=YEAR)
    assert (plan.top_level, plan.projects, plan.planned) == ("province", 1, Decimal("1500"))
    totals = selectors.list_totals(
        selectors.key_list(staff, {"year": YEAR}), year=YEAR, through=12, level=None
    )
    assert (totals.projects, totals.planned) == (1, Decimal("1500"))
    assert AuditEvent.objects.filter(object_type="construction.keyprojectentry").count() == 2


def test_it_refuses_duplicates_and_negative_plans(staff, project) -> None:  # type: ignore[no-untyped-def]
    add(staff, project)
    with pytest.raises(ValidationError) as dup:
        add(staff, project)
    assert "已" in dup.value.message_dict["level"][0]
    with pytest.raises(ValidationError) as neg:
        add(staff, project, "province", "-3")
    assert "负" in neg.value.message_dict["planned_investment"][0]
    assert KeyProjectEntry.objects.filter(project=project).count() == 1


def test_it_refuses_to_remove_the_only_list_of_a_reported_project(staff, project) -> None:  # type: ignore[no-untyped-def]
    entry = add(staff, project)
    services.investment_report(
        acting_user=staff, project=project, year=YEAR, month=1, amount=Decimal(5)
    )
    with pytest.raises(ValidationError) as caught:
        services.key_entry_remove(acting_user=staff, entry=entry)
    assert "月度" in caught.value.message_dict["level"][0]
    other = add(staff, project, "district", "10")
    services.key_entry_remove(acting_user=staff, entry=entry)
    assert list(KeyProjectEntry.objects.filter(project=project)) == [other]


def test_it_shows_the_list_with_totals_and_exports_it(staff, project) -> None:  # type: ignore[no-untyped-def]
    add(staff, project, "city", "400")
    services.investment_report(
        acting_user=staff, project=project, year=YEAR, month=2, amount=Decimal(100)
    )
    client = signed_in_client("yc_staff")
    page = client.get(f"/construction/key-projects/?year={YEAR}")
    html = page.content.decode()
    assert page.status_code == 200 and "清单测试项目" in html and "25.00%" in html
    exported = client.get(f"/construction/key-projects/export.xlsx?year={YEAR}")
    assert exported.status_code == 200
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(exported.content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[1][2] == "清单测试项目" and rows[1][6] == 100 and rows[1][7] == 25
    assert AuditEvent.objects.filter(
        action="export", object_type="construction.keyprojectentry"
    ).exists()
    hidden = signed_in_client("xp_staff").get(f"/construction/key-projects/?year={YEAR}")
    assert "清单测试项目" not in hidden.content.decode()


def test_it_adds_through_the_form_and_shows_errors(staff, project) -> None:  # type: ignore[no-untyped-def]
    from zhaoshang.projects.choices import Stage

    project_services.project_transition(
        acting_user=staff, project=project, to_stage=Stage.INTENTION, event_date=dt.date(2024, 3, 1)
    )
    project_services.project_transition(
        acting_user=staff,
        project=project,
        to_stage=Stage.NEGOTIATION,
        event_date=dt.date(2024, 4, 1),
    )
    client = signed_in_client("yc_staff")
    data = {"project": project.pk, "year": YEAR, "level": "city", "planned_investment": "-1"}
    bad = client.post("/construction/key-projects/new/", data)
    assert bad.status_code == 400 and "负" in bad.content.decode()
    assert not KeyProjectEntry.objects.exists()
    good = client.post("/construction/key-projects/new/", {**data, "planned_investment": "12"})
    assert good.status_code == 302 and KeyProjectEntry.objects.get().planned_investment == 12
    assert signed_in_client("yc_viewer").get("/construction/key-projects/new/").status_code == 404


def test_it_reports_and_corrects_on_the_project_year_page(staff, project) -> None:  # type: ignore[no-untyped-def]
    add(staff, project)
    url = f"/construction/projects/{project.pk}/investment/{YEAR}/"
    client = signed_in_client("yc_staff")
    assert client.post(url, {"month": 3, "amount": "50"}).status_code == 302
    assert client.post(url, {"month": 3, "amount": "60"}).status_code == 302
    bad = client.post(url, {"month": 4, "amount": "-2"})
    assert bad.status_code == 400 and "负" in bad.content.decode()
    html = client.get(url).content.decode()
    assert "<s>50" in html and "v2" in html
    assert MonthlyInvestment.objects.filter(project=project).count() == 2
    assert signed_in_client("yc_viewer").post(url, {"month": 5, "amount": "1"}).status_code == 404
    assert_visibility(
        url, owner="yc_staff", outsider="xp_staff", others={"zmd_city": 200, "yc_viewer": 200}
    )


def test_it_hides_entries_of_other_areas(staff, project) -> None:  # type: ignore[no-untyped-def]
    entry = add(staff, project)
    assert_visibility(
        f"/construction/key-projects/{entry.pk}/edit/",
        owner="yc_staff",
        outsider="xp_staff",
        others={"yc_viewer": 404},
    )


def test_it_lists_in_a_fixed_number_of_queries(staff, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for i in range(8):
        p = project_services.project_create(
            acting_user=staff, area=staff.area, name=f"计数{i}", event_date=dt.date(2024, 1, 1)
        )
        add(staff, p, "city", "10")
        services.investment_report(
            acting_user=staff, project=p, year=YEAR, month=1, amount=Decimal(1)
        )
    client = signed_in_client("zmd_city")
    with django_assert_max_num_queries(14):
        assert client.get(f"/construction/key-projects/?year={YEAR}").status_code == 200


def test_it_renders_the_project_partial(staff, project) -> None:  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string

    add(staff, project)
    context = selectors.project_investment(staff, project, YEAR)
    html = render_to_string("construction/_project_investment.html", context)
    assert str(YEAR) in html and "市重点" in html
