"""Reusable test helpers, above all the visibility (404) matrix every later app uses.

    assert_visibility("/areas/411702/", owner="yc_staff",
                      outsider="xp_staff", others={"zmd_city": 200, "yc_viewer": 200})

checks: owner → 200, each listed user → their expected status, and the
outsider from a sibling district → 404 (never 403, never content).
"""

from __future__ import annotations

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
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if otp_required(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="test", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def status_for(username: str, url: str, *, method: str = "get", data: Any = None) -> int:
    client = signed_in_client(username)
    response = (
        getattr(client, method)(url, data=data)
        if data is not None
        else getattr(client, method)(url)
    )
    return response.status_code


def assert_visibility(
    url: str,
    *,
    owner: str,
    outsider: str,
    others: dict[str, int] | None = None,
    method: str = "get",
    data: Any = None,
) -> None:
    """Owner 200, each of ``others`` its expected status, outsider 404."""
    expected = {owner: 200, **(others or {}), outsider: 404}
    seen = {name: status_for(name, url, method=method, data=data) for name in expected}
    assert seen == expected, f"{method.upper()} {url}: expected {expected}, got {seen}"
