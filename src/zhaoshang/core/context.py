"""Per-request facts that audit rows need but service signatures should not carry."""

from __future__ import annotations

from contextvars import ContextVar

from django.core.exceptions import PermissionDenied

from .models import User

current_ip: ContextVar[str | None] = ContextVar("zhaoshang_current_ip", default=None)


def client_ip(request) -> str | None:  # type: ignore[no-untyped-def]
    """REMOTE_ADDR: behind a proxy, configure it to set this (never trust X-Forwarded-For)."""
    return request.META.get("REMOTE_ADDR") or None


def request_user(request) -> User:  # type: ignore[no-untyped-def]
    """The signed-in user of a view behind log-in (typed, so services get a real User)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
