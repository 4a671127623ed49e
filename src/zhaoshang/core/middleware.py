"""Request-wide policies: headers, session timeouts, language, account policy, a busy database.

Each middleware does one thing. Order matters and is set in settings.MIDDLEWARE.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import services
from .context import client_ip, current_ip

LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME
SESSION_STARTED = "_zs_started"
SESSION_SEEN = "_zs_seen"
SEEN_RESOLUTION_SECONDS = 60

Handler = Callable[[HttpRequest], HttpResponse]
logger = logging.getLogger("zhaoshang.busy")


class TrustedProxyMiddleware:
    """The client's address from ``X-Real-IP``, only when a trusted proxy sent the request.

    Behind nginx on another host every request comes from the proxy's address,
    so lockouts (user + IP) and audit rows would all name the proxy. nginx
    sets ``X-Real-IP $remote_addr``; it is believed only from the addresses in
    ``ZHAOSHANG_TRUSTED_PROXIES`` (a client can send any header it likes), and
    only when it is an IP address. First in settings.MIDDLEWARE, so axes, the
    audit and everything after see the client's address as ``REMOTE_ADDR``.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        proxies = settings.ZHAOSHANG_TRUSTED_PROXIES
        if proxies and request.META.get("REMOTE_ADDR") in proxies:
            real = _ip_or_none(request.META.get("HTTP_X_REAL_IP", ""))
            if real is not None:
                request.META["REMOTE_ADDR"] = real
        return self.get_response(request)


def _ip_or_none(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


class SecurityHeadersMiddleware:
    """CSP, Permissions-Policy, no caching of signed-in pages; records the client IP."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            current_ip.reset(token)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class SessionTimeoutMiddleware:
    """End a session after 30 idle minutes or 8 hours in all (等保 2.0 L3)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.setdefault(SESSION_STARTED, now)
            seen = request.session.get(SESSION_SEEN, now)
            idle = timedelta(seconds=now - seen)
            age = timedelta(seconds=now - started)
            if idle > settings.SESSION_IDLE_TIMEOUT or age > settings.SESSION_ABSOLUTE_TIMEOUT:
                services.auth_record_logout(user=user, expired=True)
                logout(request)
                return _to_login(request, _("Your session has expired. Please log in again."))
            if now - seen > SEEN_RESOLUTION_SECONDS:  # one session write a minute, not per hit
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """Chinese unless the user (or, before log-in, the language cookie) chose English.

    The browser's Accept-Language is deliberately ignored: the product is
    Chinese-first, and a bureau PC with an English OS should still show Chinese.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        chosen = user.language if user.is_authenticated else request.COOKIES.get(LANGUAGE_COOKIE)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


OPEN_PATHS = ("/static/", "/accounts/logout/", "/accounts/language/", "/healthz", "/readyz")


class AccountPolicyMiddleware:
    """Send a signed-in user to TOTP, then to a password change, before anything else.

    TOTP comes first: a stolen password alone must not even reach the
    password-change page of an admin or leader.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or request.path.startswith(OPEN_PATHS):
            return self.get_response(request)
        target = self._required_step(user)
        if target and request.path != reverse(target) and not _otp_page(request, target):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": target.split(":")[1],
                        "message": _("Complete the account step first."),
                    },
                    status=403,
                )
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _required_step(user) -> str | None:  # type: ignore[no-untyped-def]
        from .policy import otp_required, password_expired

        if otp_required(user) and not user.is_verified():
            return "core:otp_verify"
        if password_expired(user):
            return "core:password_change"
        return None


def _otp_page(request: HttpRequest, target: str) -> bool:
    """The enrol and verify pages both satisfy the TOTP step."""
    return target == "core:otp_verify" and request.path == reverse("core:otp_setup")


def _to_login(request: HttpRequest, message: str) -> HttpResponse:
    messages.warning(request, message)
    return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")


#: seconds a client is asked to wait when the database is busy (HTTP ``Retry-After``)
BUSY_RETRY_AFTER = 5


def is_busy(exc: BaseException) -> bool:
    """True for "the database could not take this write in time" (SQLite's single writer
    waited out its timeout; PostgreSQL's ``lock_timeout``), as opposed to a real fault."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    return "database is locked" in text or "lock timeout" in text or "locknotavailable" in text


class BusyDatabaseMiddleware:
    """A write that cannot get the database in time answers 503 with ``Retry-After``.

    On SQLite one large import holds the only write lock for its write phase; a
    clerk's save meanwhile waits ``timeout`` seconds and then fails. That is not
    a server fault: the page says so in Chinese, asks to retry, and nothing was
    written (the transaction rolled back). The API answers the same as JSON.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        logger.warning("database busy on %s %s: %s", request.method, request.path, exception)
        return busy_response(request)


def busy_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "busy", "message": str(_("The system is busy; please try again shortly."))},
            status=503,
        )
    else:
        response = render(request, "core/busy.html", {"retry_after": BUSY_RETRY_AFTER}, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response
