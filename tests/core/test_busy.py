"""A write that cannot get the database in time answers 503 + Retry-After, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

from tests.helpers import signed_in_client
from zhaoshang.core.models import User
from zhaoshang.projects import services
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project() -> Project:
    staff = User.objects.get(username="yc_staff")
    return services.project_create(acting_user=staff, area=staff.area, name="繁忙测试项目")


def _locked(monkeypatch: pytest.MonkeyPatch, message: str = "database is locked") -> None:
    def refuse(**_kwargs: Any) -> None:
        raise OperationalError(message)

    monkeypatch.setattr(services, "project_update", refuse)


def test_it_asks_a_page_user_to_retry_when_the_database_is_busy(project, monkeypatch):
    _locked(monkeypatch)
    response = signed_in_client("yc_staff").post(
        f"/projects/{project.pk}/edit/",
        {
            "name": "改名",
            "investor_name": "x",
            "method": "chain",
            "total_investment": "1",
            "foreign_capital": "0",
            "out_of_city_capital": "0",
            "version": project.version,
        },
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "系统繁忙" in response.content.decode()
    assert Project.objects.get(pk=project.pk).name == "繁忙测试项目"


def test_it_answers_the_api_503_json_when_the_database_is_busy(project, monkeypatch):
    _locked(monkeypatch)
    response = signed_in_client("yc_staff").put(
        f"/api/v1/projects/{project.pk}",
        {"version": project.version, "name": "改名"},
        content_type="application/json",
    )
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert response.json()["code"] == "busy" and "繁忙" in response.json()["message"]


def test_it_still_answers_500_for_another_database_fault(project, monkeypatch):
    _locked(monkeypatch, "no such table: projects_project")
    response = signed_in_client("yc_staff").put(
        f"/api/v1/projects/{project.pk}",
        {"version": project.version, "name": "改名"},
        content_type="application/json",
    )
    assert response.status_code == 500 and response.json()["code"] == "server_error"
