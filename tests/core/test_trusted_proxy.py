"""Behind nginx on another host: the client's address from X-Real-IP, from trusted proxies only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhaoshang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.9"


def failed_login_ip(client: Client, **meta: str) -> str | None:
    client.post("/accounts/login/", {"username": "yc_chief", "password": "Wrong-pass-1"}, **meta)
    return AuditEvent.objects.filter(action="login_failed").latest("id").ip


def test_it_takes_the_client_address_from_a_trusted_proxy(client: Client, settings: Any) -> None:
    settings.ZHAOSHANG_TRUSTED_PROXIES = [PROXY]

    ip = failed_login_ip(client, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.7")

    assert ip == "203.0.113.7"


def test_it_ignores_the_header_from_anyone_else_and_when_it_is_not_an_address(
    client: Client, settings: Any
) -> None:
    settings.ZHAOSHANG_TRUSTED_PROXIES = [PROXY]
    spoofed = failed_login_ip(client, REMOTE_ADDR="198.51.100.4", HTTP_X_REAL_IP="203.0.113.7")
    garbage = failed_login_ip(client, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="<script>")

    assert (spoofed, garbage) == ("198.51.100.4", PROXY)


def test_it_trusts_no_proxy_unless_told(client: Client) -> None:
    ip = failed_login_ip(client, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.7")

    assert ip == PROXY
