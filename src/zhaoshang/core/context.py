"""Per-request facts that audit rows need but service signatures should not carry."""

from __future__ import annotations

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("zhaoshang_current_ip", default=None)


def client_ip(request) -> str | None:  # type: ignore[no-untyped-def]
    """REMOTE_ADDR: behind a proxy, configure it to set this (never trust X-Forwarded-For)."""
    return request.META.get("REMOTE_ADDR") or None
