"""Reusable test helpers, above all the visibility (404) matrix every later app uses.

    assert_visibility("/areas/411702/", owner="yc_staff",
                      outsider="xp_staff", others={"zmd_city": 200, "yc_viewer": 200})

checks: owner → 200, each listed user → their expected status, and the
outsider from a sibling district → 404 (never 403, never content).
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhaoshang.core.models import User
from zhaoshang.core.policy import otp_required


def signed_in_client(username: str) -> Client:
    """Log a demo user in via the session; admins and leaders get a verified TOTP device."""
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user, backend="zhaoshang.core.backends.AccountBackend")
    if otp_required(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="test", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _request(username: str, url: str, *, method: str, data: Any, json_body: Any) -> Any:
    client = signed_in_client(username)
    if json_body is not None:
        return getattr(client, method)(
            url, data=json.dumps(json_body), content_type="application/json"
        )
    return (
        getattr(client, method)(url, data=data)
        if data is not None
        else getattr(client, method)(url)
    )


def status_for(username: str, url: str, *, method: str = "get", data: Any = None) -> int:
    return int(_request(username, url, method=method, data=data, json_body=None).status_code)


NOT_FOUND_JSON = {"code": "not_found", "message": "未找到或无权查看"}


def assert_visibility(
    url: str,
    *,
    owner: str,
    outsider: str,
    others: dict[str, int] | None = None,
    method: str = "get",
    data: Any = None,
    json_body: Any = None,
    owner_status: int = 200,
) -> None:
    """Owner ``owner_status``, each of ``others`` its expected status, outsider 404.

    ``json_body`` sends a JSON request (API writes); an API's 404 must be the
    plain JSON error, telling the outsider nothing about the row.
    """
    expected = {owner: owner_status, **(others or {}), outsider: 404}
    responses = {
        name: _request(name, url, method=method, data=data, json_body=json_body)
        for name in expected
    }
    seen = {name: r.status_code for name, r in responses.items()}
    assert seen == expected, f"{method.upper()} {url}: expected {expected}, got {seen}"
    hidden = responses[outsider]
    if hidden.headers.get("Content-Type", "").startswith("application/json"):
        assert hidden.json() == NOT_FOUND_JSON
