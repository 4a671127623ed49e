"""The app as `make run` serves it (gunicorn, DEBUG off): Chinese errors, probes, static."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 — http://127.0.0.1
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_an_unknown_page_is_the_chinese_404_not_a_debug_page(served_app: str) -> None:
    status, page = _get(f"{served_app}/nope")
    assert status == 404
    assert "页面不存在" in page and "返回首页" in page
    assert "Page not found" not in page and "DEBUG" not in page


def test_probes_and_static_files_answer(served_app: str) -> None:
    assert _get(f"{served_app}/healthz")[0] == 200
    status, body = _get(f"{served_app}/readyz")
    assert status == 200 and json.loads(body)["failing"] == []
    assert _get(f"{served_app}/static/css/app.css")[0] == 200


def test_an_unknown_api_url_is_json(served_app: str) -> None:
    status, body = _get(f"{served_app}/api/v1/nope")
    assert status == 404 and json.loads(body)["code"] == "not_found"
