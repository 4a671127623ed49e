"""Error answers: Chinese pages in the layout, JSON under /api/; health and readiness probes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory
from huey.contrib.djhuey import HUEY

from tests.helpers import signed_in_client
from zhaoshang.core import views
from zhaoshang.core.views import health

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_chinese_404_inside_the_layout_with_the_way_back() -> None:
    response = signed_in_client("yc_staff").get("/nope/", HTTP_REFERER="/projects/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'class="topbar"' in page
    assert 'href="/"' in page and 'href="/projects/"' in page  # home and the page before


def test_an_unknown_api_url_is_json() -> None:
    response = signed_in_client("yc_staff").get("/api/v1/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_foreign_host_header_gets_the_chinese_400_page() -> None:
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()


def test_a_stale_form_gets_a_chinese_403_that_says_to_reload() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "刷新页面" in response.content.decode()


@pytest.mark.parametrize(
    ("handler", "status", "code"),
    [
        (views.bad_request, 400, "bad_request"),
        (views.permission_denied, 403, "forbidden"),
        (views.not_found, 404, "not_found"),
        (views.server_error, 500, "server_error"),
    ],
)
def test_every_error_under_api_is_json(handler: Any, status: int, code: str) -> None:
    request = RequestFactory().get("/api/v1/projects")
    response = handler(request) if handler is views.server_error else handler(request, None)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert code in response.content.decode()


def test_the_500_page_needs_no_database(django_assert_num_queries: Any) -> None:
    request = RequestFactory().get("/projects/")
    with django_assert_num_queries(0):
        response = views.server_error(request)
    assert response.status_code == 500
    assert "服务器错误" in response.content.decode()


def test_healthz_and_readyz_answer_without_a_login() -> None:
    assert Client().get("/healthz").status_code == 200
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {"database": True, "cache": True, "job_queue": True},
        "failing": [],
    }


def _broken(*_args: Any, **_kwargs: Any) -> None:
    raise OperationalError("unreachable")


def test_readyz_names_the_database_when_it_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    class Down:
        def cursor(self) -> None:
            raise OperationalError("could not connect")

    monkeypatch.setattr(health, "connection", Down())
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


def test_readyz_names_the_cache_when_it_loses_what_it_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(health.cache, "get", lambda *_a, **_k: None)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_readyz_names_the_job_queue_when_it_is_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(HUEY, "pending_count", _broken)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["job_queue"]
