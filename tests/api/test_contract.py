"""The API contract the fuzzer found broken (issue 13 §1), pinned one by one.

null for a never-null field, numbers for dates and booleans, floats for money:
each is 422 naming the field and writes nothing (never 409, which means a stale
``version`` and nothing else). The OpenAPI document lists every error answer
and the enums, ranges and lengths the server enforces.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.helpers import signed_in_client
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.projects import services
from zhaoshang.projects.models import Activity, Enterprise, Project

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def call(method: str, url: str, body: Any, username: str = "yc_staff") -> Any:
    client: Client = signed_in_client(username)
    response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
    response.data = json.loads(response.content) if response.content else None
    return response


def assert_422_on(response: Any, field: str) -> None:
    assert response.status_code == 422, (response.status_code, response.data)
    assert response.data["code"] == "validation_error"
    assert field in response.data["errors"], response.data


@pytest.fixture
def staff() -> User:
    return User.objects.get(username="yc_staff")


@pytest.fixture
def project(staff: User) -> Project:
    return services.project_create(
        acting_user=staff,
        area=staff.area,
        name="契约测试项目",
        investor_name="测试投资方",
        total_investment=Decimal("5000"),
        event_date=TODAY,
    )


@pytest.fixture
def enterprise(staff: User) -> Enterprise:
    return services.enterprise_save(
        acting_user=staff,
        enterprise=Enterprise(area=staff.area, name="契约测试企业", region_code="411702"),
    )


def audit_rows() -> int:
    return AuditEvent.objects.count()


# --- 1. null for a NOT NULL column is 422 naming the field, never 409 --------------------

PROJECT_TEXT = [
    "code",
    "investor_name",
    "source_region",
    "source_province",
    "source_country",
    "land_parcel",
    "key_level",
    "notes",
    "method",
    "name",
]


@pytest.mark.parametrize("field", PROJECT_TEXT)
def test_null_for_a_project_field_is_422_not_409(project, field):
    before = (audit_rows(), Project.objects.filter(pk=project.pk).values().get())
    body = {field: None, "version": project.version}
    response = call("put", f"/api/v1/projects/{project.pk}", body)
    assert_422_on(response, field)
    after = (audit_rows(), Project.objects.filter(pk=project.pk).values().get())
    assert after == before


@pytest.mark.parametrize("field", ["code", "investor_name", "notes", "source_region"])
def test_null_on_create_is_422_and_creates_nothing(field):
    count = Project.objects.count()
    response = call("post", "/api/v1/projects", {"name": "新项目", field: None})
    assert_422_on(response, field)
    assert Project.objects.count() == count


@pytest.mark.parametrize(
    "field", ["region_code", "industry_code", "description", "name", "is_leading", "tags"]
)
def test_null_for_an_enterprise_field_is_422_not_409(enterprise, field):
    before = Enterprise.objects.filter(pk=enterprise.pk).values().get()
    response = call("put", f"/api/v1/enterprises/{enterprise.pk}", {field: None})
    assert_422_on(response, field)
    assert Enterprise.objects.filter(pk=enterprise.pk).values().get() == before


def test_a_null_uscc_still_clears_it(enterprise):
    """The one nullable text column stays nullable (no credit code yet)."""
    response = call("put", f"/api/v1/enterprises/{enterprise.pk}", {"uscc": None})
    assert response.status_code == 200, response.data
    assert Enterprise.objects.get(pk=enterprise.pk).uscc is None


def test_null_for_a_milestones_due_date_or_title_is_422(project):
    created = call(
        "post",
        "/api/v1/milestones",
        {"project_id": project.pk, "title": "开工", "due_date": "2026-07-01"},
    )
    assert created.status_code == 201, created.data
    url = f"/api/v1/milestones/{created.data['id']}"
    for field in ("due_date", "title", "note", "status"):
        response = call("put", url, {field: None, "version": created.data["version"]})
        assert_422_on(response, field)


# --- 2. strict types: dates are ISO strings, booleans are booleans, money not a float ------


@pytest.mark.parametrize("value", [0, 1700000000, "0", "2026-06-01T00:00:00", "20260601", True])
def test_a_number_is_not_a_date(project, value):
    count = Activity.objects.count()
    body = {"kind": "visit", "date": value}
    response = call("post", f"/api/v1/projects/{project.pk}/activities", body)
    assert_422_on(response, "date")
    assert Activity.objects.count() == count


def test_a_milestones_due_date_0_is_not_1970(project):
    body = {"project_id": project.pk, "title": "开工", "due_date": 0}
    response = call("post", "/api/v1/milestones", body)
    assert_422_on(response, "due_date")
    assert not project.milestones.exists()


def test_an_iso_date_is_still_a_date(project):
    body = {"kind": "visit", "date": "2026-05-30"}
    response = call("post", f"/api/v1/projects/{project.pk}/activities", body)
    assert response.status_code == 201, response.data
    assert response.data["date"] == "2026-05-30"


@pytest.mark.parametrize("value", [0, 1, "yes", "true"])
def test_a_number_or_text_is_not_a_boolean(enterprise, value):
    response = call("put", f"/api/v1/enterprises/{enterprise.pk}", {"is_leading": value})
    assert_422_on(response, "is_leading")
    assert Enterprise.objects.get(pk=enterprise.pk).is_leading is False


def test_a_boolean_is_a_boolean(enterprise):
    response = call("put", f"/api/v1/enterprises/{enterprise.pk}", {"is_leading": True})
    assert response.status_code == 200, response.data
    assert Enterprise.objects.get(pk=enterprise.pk).is_leading is True


@pytest.mark.parametrize("value", [1.5, "1e3", "12.34567", "1234567890123"])
def test_money_is_a_decimal_string_within_its_digits(project, value):
    body = {"total_investment": value, "version": project.version}
    response = call("put", f"/api/v1/projects/{project.pk}", body)
    assert_422_on(response, "total_investment")
    assert Project.objects.get(pk=project.pk).total_investment == Decimal("5000")


@pytest.mark.parametrize("value", ["1234.5", 1234])
def test_money_as_a_string_or_whole_number_is_taken(project, value):
    body = {"total_investment": value, "version": project.version}
    response = call("put", f"/api/v1/projects/{project.pk}", body)
    assert response.status_code == 200, response.data
    assert Project.objects.get(pk=project.pk).total_investment == Decimal(str(value))


# --- 3. the document says what the server answers and enforces --------------------------


@pytest.fixture
def document() -> dict[str, Any]:
    response = signed_in_client("yc_staff").get("/api/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def test_every_operation_documents_its_error_answers(document):
    error = {"$ref": "#/components/schemas/Error"}
    assert set(document["components"]["schemas"]["Error"]["required"]) == {"code", "message"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"401", "403", "404"}
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if method in {"post", "put", "patch", "delete"}:
                expected.add("409")
            assert expected <= set(responses), (method, path, sorted(responses))
            for status in expected:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == error, (method, path, status)


def test_the_document_names_sorts_months_digits_lengths_and_nul(document):
    schemas = document["components"]["schemas"]
    projects = document["paths"]["/api/v1/projects"]["get"]["parameters"]
    sort = next(p for p in projects if p["name"] == "sort")["schema"]
    assert "-updated" in json.dumps(sort) and "enum" in sort
    investment = schemas["InvestmentIn"]["properties"]
    assert (investment["month"]["minimum"], investment["month"]["maximum"]) == (1, 12)
    amount = json.dumps(investment["amount"])
    assert "\\\\d{1,12}(\\\\.\\\\d{1,4})?" in amount and '"number"' not in amount
    actual = document["paths"]["/api/v1/actuals/{area}/{year}/{month}/{indicator}"]["put"]
    month = next(p for p in actual["parameters"] if p["name"] == "month")["schema"]
    assert (month["minimum"], month["maximum"]) == (1, 12)
    update = schemas["ProjectUpdate"]["properties"]
    assert update["name"]["maxLength"] == 200
    assert update["name"]["pattern"] == "^[^\\u0000]*$"
    assert update["code"]["type"] == "string" and "anyOf" not in update["code"]
    assert update["key_level"]["not"] == {}


def test_a_nul_character_is_refused_by_the_server_too(project):
    body = {"notes": "a\x00b", "version": project.version}
    response = call("put", f"/api/v1/projects/{project.pk}", body)
    assert_422_on(response, "notes")


@pytest.mark.parametrize(
    "url",
    ["/api/v1/people?area=999999", "/api/v1/investments?area=999999"],
)
def test_an_unknown_area_filter_is_an_empty_list_not_a_500(url: str) -> None:
    """The "no such area" sentinel once was NUL, which PostgreSQL refuses in a parameter."""
    response = signed_in_client("zmd_city").get(url)
    assert response.status_code == 200, response.content[:200]
    assert response.json()["count"] == 0
