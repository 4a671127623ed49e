"""Log-in, log-out, password, two-factor (TOTP) and language: the account pages."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .. import services
from ..context import request_user
from ..forms import (
    LanguageForm,
    LoginForm,
    OwnPasswordChangeForm,
    TokenForm,
)
from ..middleware import LANGUAGE_COOKIE, SESSION_SEEN, SESSION_STARTED

OTP_KEY_SESSION = "_zs_otp_key"


def is_verified(request: HttpRequest) -> bool:
    """django-otp's per-request flag (set by OTPMiddleware)."""
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Password step of log-in. django-axes counts failures and locks user+IP."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            with transaction.atomic():
                auth_login(request, user)
                services.auth_record_login(user=user)
            now = timezone.now().timestamp()
            request.session[SESSION_STARTED] = now
            request.session[SESSION_SEEN] = now
            return redirect(_next_url(request))
        services.auth_record_login_failed(
            username=request.POST.get("username", ""),
            locked_out=bool(getattr(request, "axes_locked_out", False)),
        )
    return render(request, "core/login.html", {"form": form, "next": _next_url(request)})


def lockout(
    request: HttpRequest,
    response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
    *args: Any,
    **kwargs: Any,
) -> HttpResponse:
    """django-axes lockout page (AXES_LOCKOUT_CALLABLE): Chinese, HTTP 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "core/lockout.html", {"minutes": minutes}, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.auth_record_logout(user=request.user)
    auth_logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("core:login")


@login_required
@sensitive_post_parameters()
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = OwnPasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_change_password(
            acting_user=user, user=user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect(_next_url(request))
    return render(
        request,
        "core/password_change.html",
        {"form": form, "next": _next_url(request), "forced": user.must_change_password},
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol TOTP: show a key and QR code, confirm with the first code from the app."""
    user = request_user(request)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists() and not is_verified(request):
        return redirect("core:otp_verify")
    key = request.session.get(OTP_KEY_SESSION) or random_hex(20)
    request.session[OTP_KEY_SESSION] = key
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.otp_enrol_confirm(
            user=user,
            key=key,
            token=form.cleaned_data["token"],
        )
        if device is not None:
            del request.session[OTP_KEY_SESSION]
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is now on."))
            return redirect(_next_url(request))
        form.add_error("token", _("The code does not match. Check the phone's clock and retry."))
    device = TOTPDevice(user=user, key=key, name="TOTP")
    secret = device.bin_key
    secret_b32 = base64.b32encode(secret).decode()
    return render(
        request,
        "core/otp_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - generated by qrcode
            "secret": " ".join(secret_b32[i : i + 4] for i in range(0, len(secret_b32), 4)),
            "next": _next_url(request),
        },
    )


@login_required
@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second log-in step for users who already enrolled TOTP."""
    user = request_user(request)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect(f"{reverse('core:otp_setup')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        locked_until = services.otp_locked_until(user)
        if locked_until is not None:
            form.add_error("token", _otp_locked_message(locked_until))
            return render(
                request, "core/otp_verify.html", {"form": form, "next": _next_url(request)}
            )
        device = match_token(user, form.cleaned_data["token"])
        services.auth_record_otp(user=user, enrolled=False, ok=device is not None)
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("Wrong or expired code."))
    return render(request, "core/otp_verify.html", {"form": form, "next": _next_url(request)})


def _otp_locked_message(until: Any) -> str:
    return _("Too many wrong codes in a row. Try again after %(time)s.") % {
        "time": timezone.localtime(until).strftime("%H:%M")
    }


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch UI language: stored on the user, or in a cookie before log-in."""
    form = LanguageForm(request.POST)
    response = redirect(_next_url(request))
    if not form.is_valid():
        messages.error(request, _("Unknown language."))
        return response
    chosen = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_set_language(acting_user=request_user(request), language=chosen)
    response.set_cookie(
        LANGUAGE_COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
