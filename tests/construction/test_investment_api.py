"""API of key lists and monthly investment: filters, create/correct, history, refusals, 404s."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.helpers import assert_visibility, signed_in_client
from tests.projects.conftest import call
from zhaoshang.construction.models import KeyProjectEntry, MonthlyInvestment
from zhaoshang.construction.services import investment as services
from zhaoshang.core.models import User
from zhaoshang.projects import services as project_services
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def project() -> Project:
    staff = User.objects.get(username="yc_staff")
    return project_services.project_create(
        acting_user=staff,
        area=staff.area,
        name="接口测试项目",
        total_investment=Decimal(8000),
        event_date=dt.date(2024, 5, 1),
    )


@pytest.fixture
def entry(project: Project) -> KeyProjectEntry:
    return services.key_entry_add(
        acting_user=None, project=project, year=YEAR, level="city", planned_investment=Decimal(400)
    )


def test_it_adds_to_a_list_and_lists_with_ytd(project) -> None:  # type: ignore[no-untyped-def]
    client = signed_in_client("yc_staff")
    body = {
        "project_id": project.pk,
        "year": YEAR,
        "level": "province",
        "planned_investment": "500",
    }
    created = call(client, "post", "/api/v1/key-projects", body)
    assert created.status_code == 201, created.data
    assert created.data["level"] == "province" and created.data["planned_investment"] == "500.0000"
    again = call(client, "post", "/api/v1/key-projects", body)
    assert again.status_code == 422 and "level" in again.data["errors"]
    assert KeyProjectEntry.objects.filter(project=project).count() == 1
    call(
        client,
        "post",
        "/api/v1/investments",
        {"project_id": project.pk, "year": YEAR, "month": 2, "amount": "125"},
    )
    listed = call(client, "get", f"/api/v1/key-projects?year={YEAR}&level=province")
    item = next(i for i in listed.data["items"] if i["project_id"] == project.pk)
    assert item["ytd"] == "125.0000" and item["completion_pct"] == "25.00"


def test_it_reports_corrects_and_shows_history(entry) -> None:  # type: ignore[no-untyped-def]
    client = signed_in_client("yc_staff")
    body = {"project_id": entry.project_id, "year": YEAR, "month": 3, "amount": "100"}
    first = call(client, "post", "/api/v1/investments", body)
    assert first.status_code == 201 and first.data["version"] == 1
    same = call(client, "post", "/api/v1/investments", body)
    assert same.status_code == 200 and same.data["unchanged"] is True
    fixed = call(client, "post", "/api/v1/investments", {**body, "amount": "90.5"})
    assert fixed.status_code == 201 and fixed.data["version"] == 2
    history = call(client, "get", f"/api/v1/investments/{entry.project_id}/{YEAR}/3/history")
    assert [(h["version"], h["amount"], h["is_current"]) for h in history.data] == [
        (2, "90.5000", True),
        (1, "100.0000", False),
    ]
    listed = call(client, "get", f"/api/v1/investments?year={YEAR}&project={entry.project_id}")
    assert listed.data["count"] == 1 and listed.data["items"][0]["amount"] == "90.5000"


def test_it_refuses_bad_reports_with_422_and_writes_nothing(entry) -> None:  # type: ignore[no-untyped-def]
    client = signed_in_client("yc_staff")
    base = {"project_id": entry.project_id, "year": YEAR, "month": 1}
    negative = call(client, "post", "/api/v1/investments", {**base, "amount": "-1"})
    assert negative.status_code == 422 and "负" in str(negative.data["errors"]["amount"])
    unlisted = call(client, "post", "/api/v1/investments", {**base, "year": 2024, "amount": "1"})
    assert unlisted.status_code == 422 and "project" in unlisted.data["errors"]
    future = call(client, "post", "/api/v1/investments", {**base, "year": 2099, "amount": "1"})
    assert future.status_code == 422 and "month" in future.data["errors"]
    assert not MonthlyInvestment.objects.exists()


def test_it_hides_another_areas_rows_and_forbids_readers(entry) -> None:  # type: ignore[no-untyped-def]
    body = {"project_id": entry.project_id, "year": YEAR, "month": 1, "amount": "5"}
    assert_visibility(
        "/api/v1/investments",
        owner="yc_staff",
        outsider="xp_staff",
        others={"yc_viewer": 403},
        method="post",
        json_body=body,
        owner_status=201,
    )
    assert_visibility(
        f"/api/v1/key-projects/{entry.pk}",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200},
    )
    assert_visibility(
        f"/api/v1/investments/{entry.project_id}/{YEAR}/1/history",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200},
    )
    hidden = call(signed_in_client("xp_staff"), "get", f"/api/v1/key-projects?year={YEAR}")
    assert hidden.data["count"] == 0


def test_it_changes_and_removes_entries(entry) -> None:  # type: ignore[no-untyped-def]
    client = signed_in_client("yc_staff")
    changed = call(
        client, "patch", f"/api/v1/key-projects/{entry.pk}", {"planned_investment": "800"}
    )
    assert changed.status_code == 200 and changed.data["planned_investment"] == "800.0000"
    services.investment_report(
        acting_user=None, project=entry.project, year=YEAR, month=1, amount=Decimal(1)
    )
    refused = call(client, "delete", f"/api/v1/key-projects/{entry.pk}")
    assert refused.status_code == 422 and "level" in refused.data["errors"]
    assert KeyProjectEntry.objects.filter(pk=entry.pk).exists()


def test_it_lists_in_a_fixed_number_of_queries(entry, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        p = project_services.project_create(
            acting_user=None, area=entry.area, name=f"查询{i}", event_date=dt.date(2024, 1, 1)
        )
        services.key_entry_add(
            acting_user=None, project=p, year=YEAR, level="district", planned_investment=Decimal(1)
        )
        services.investment_report(
            acting_user=None, project=p, year=YEAR, month=1, amount=Decimal(1)
        )
    client = signed_in_client("zmd_city")
    with django_assert_max_num_queries(10):
        assert call(client, "get", f"/api/v1/key-projects?year={YEAR}").data["count"] == 6
    with django_assert_max_num_queries(10):
        assert call(client, "get", f"/api/v1/investments?year={YEAR}").data["count"] == 5
