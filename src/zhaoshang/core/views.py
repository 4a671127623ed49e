"""Pages of the core app: log-in/out, account security, area home, audit log.

Views stay thin: they parse input, call a selector or a service, render.
"""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from huey.contrib.djhuey import HUEY

from . import selectors, services
from .audit_display import describe, object_type_choices
from .context import request_user
from .exports import export_audit, export_persons
from .forms import (
    AlertChannelForm,
    AuditFilterForm,
    InboxFilterForm,
    LanguageForm,
    LoginForm,
    OwnPasswordChangeForm,
    PersonFilterForm,
    PersonForm,
    PersonMergeForm,
    TokenForm,
)
from .middleware import LANGUAGE_COOKIE, SESSION_SEEN, SESSION_STARTED
from .models import User
from .navigation import home_for, home_panels_for
from .policy import Capability, area_scope_path, can, can_reach
from .versions import ConflictError
from .web import apply_errors, list_context, require_page, xlsx_response

logger = logging.getLogger(__name__)

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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """首页 "my work": the panels apps registered for the user's role, each linking to
    where the item is handled; the area summary stays one click away (本区域概况).
    An investor is sent to the home an app registered for them."""
    user = request_user(request)
    own_home = home_for(user)
    if own_home is not None:
        return redirect(own_home)
    if user.area is None:
        return render(
            request,
            "core/home_unscoped.html",
            {"areas": selectors.areas_visible_to(user).filter(parent=None)},
        )
    return render(
        request,
        "core/home.html",
        {"area": user.area, "panels": home_panels_for(user)},
    )


@login_required
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = selectors.area_visible_or_404(request.user, code)
    units = selectors.units_visible_to(request.user).filter(area=area)
    return render(
        request,
        "core/area.html",
        {
            "area": area,
            "units": units,
            "summary": selectors.area_summary(area),
            "is_own": area.pk == request_user(request).area_id,
        },
    )


AUDIT_PAGE_SIZE = 50
#: the audit log's sortable columns (keys of ``selectors.AUDIT_SORTS``)
AUDIT_COLUMNS = ("time", "person", "action", "type")


def _audit_filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    types = object_type_choices(selectors.audit_object_types(request.user))
    form = AuditFilterForm(request.GET or None, object_types=types)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, filters


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.READ_AUDIT):
        return render(request, "core/forbidden.html", status=404)
    form, filters = _audit_filters(request)
    sort = {"sort": request.GET.get("sort", "")}
    events = selectors.audit_events_visible_to(request.user, filters={**filters, **sort})
    context = list_context(request, events, AUDIT_COLUMNS, AUDIT_PAGE_SIZE)
    rows = describe(list(context["page"]), request.user)
    return render(request, "core/audit_list.html", {**context, "form": form, "rows": rows})


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered audit log as xlsx; the export itself is audited."""
    if not can(request.user, Capability.READ_AUDIT):
        return render(request, "core/forbidden.html", status=404)
    _form, filters = _audit_filters(request)
    buffer = io.BytesIO()
    export_audit(user=request_user(request), filters=filters, target=buffer)
    return xlsx_response(buffer, "audit")


def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers: for a load balancer's liveness probe (no dependency checked)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Database, cache and job queue reachable: a load balancer sends traffic only then.

    Each part is checked separately so the 503 names what failed; a check
    that raises anything counts as down (the probe must answer, not crash).
    """
    checks = {name: _probe(check) for name, check in READINESS_CHECKS.items()}
    failing = [name for name, ok in checks.items() if not ok]
    body = {"status": "unavailable" if failing else "ok", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)


def _probe(check: Any) -> bool:
    try:
        check()
    except Exception:  # any failure of a dependency means "not ready"
        logger.warning(
            "readiness check %s failed", getattr(check, "__name__", check), exc_info=True
        )
        return False
    return True


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    token = random_hex(8)
    cache.set("zhaoshang:readyz", token, 10)
    if cache.get("zhaoshang:readyz") != token:
        raise RuntimeError("cache did not return what was stored")


def _job_queue() -> None:
    HUEY.pending_count()


READINESS_CHECKS = {"database": _database, "cache": _cache, "job_queue": _job_queue}


def _error_page(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """One error answer for every status: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message}, status=status)
    context = {"status": status, "title": ERROR_TITLES[status](), "message": message}
    return render(request, "core/http_error.html", context, status=status)


ERROR_TITLES = {
    400: lambda: _("Bad request"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
}


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request, 400, "bad_request", _("The request could not be understood. Check the address.")
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, "forbidden", _("You are not allowed to do this."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a stale page or another site: say how to recover, in Chinese."""
    return _error_page(
        request,
        403,
        "csrf_failed",
        _("The form has expired or was not sent from this site. Reload the page and try again."),
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, "not_found", _("Not found, or not yours to see."))


def server_error(request: HttpRequest) -> HttpResponse:
    """A page that needs no database: the error may be the database itself."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "message": _("Internal error.")}, status=500)
    return render(request, "core/error.html", status=500)


# --- the person directory (人员库) ------------------------------------------------

PERSON_PAGE_SIZE = 30
PERSON_COLUMNS = ("name", "post", "rank", "unit", "area")


def _directory_user(request: HttpRequest) -> User:
    """The signed-in official; an investor (or anyone seeing no area) gets 404."""
    user = request_user(request)
    if area_scope_path(user) is None:
        raise Http404
    return user


def _person_filters(request: HttpRequest, user: User) -> tuple[PersonFilterForm, dict[str, Any]]:
    form = PersonFilterForm(request.GET or None, user=user)
    return form, form.filters() if form.is_bound else {}


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    user = _directory_user(request)
    form, filters = _person_filters(request, user)
    persons = selectors.person_list(user, filters)
    return render(
        request,
        "core/person_list.html",
        {
            **list_context(request, persons, PERSON_COLUMNS, PERSON_PAGE_SIZE),
            "form": form,
            "can_write": can(user, Capability.WRITE),
        },
    )


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse:
    """The list's rows for its current filters as Excel; the export is audited."""
    user = _directory_user(request)
    _form, filters = _person_filters(request, user)
    buffer = io.BytesIO()
    export_persons(user=user, filters=filters, target=buffer)
    return xlsx_response(buffer, "persons")


def _person_values(form: PersonForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {k: data[k] or "" for k in ("name", "post", "rank", "phone")} | {"unit": data["unit"]}


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    user = _directory_user(request)
    require_page(user, Capability.WRITE)
    form = PersonForm(request.POST or None, user=user, initial={"area": user.area})
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                acting_user=user, area=form.cleaned_data["area"], **_person_values(form)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Person added."))
            return redirect("core:person_detail", pk=person.pk)
    return render(request, "core/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _directory_user(request)
    person = selectors.person_detail_or_404(user, pk)
    require_page(user, Capability.WRITE)
    form = PersonForm(request.POST or None, user=user, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                acting_user=user,
                person=person,
                expected_version=form.cleaned_data["version"],
                **_person_values(form),
            )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Person saved."))
            return redirect("core:person_detail", pk=person.pk)
    return render(request, "core/person_form.html", {"form": form, "person": person})


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _directory_user(request)
    person = selectors.person_detail_or_404(user, pk)
    references = selectors.person_references(person)
    namesakes = selectors.merge_candidates(user, person)
    return render(
        request,
        "core/person_detail.html",
        {
            "person": person,
            "references": references,
            "named": sum(r["count"] for r in references),
            "namesakes": namesakes,
            "can_write": can(user, Capability.WRITE) and can_reach(user, person.area),
        },
    )


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def person_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (or reactivate) a Person: one still named keeps its references."""
    user = _directory_user(request)
    person = selectors.person_detail_or_404(user, pk)
    require_page(user, Capability.WRITE)
    active = request.POST.get("active") == "1"
    try:
        services.person_update(
            acting_user=user, person=person, expected_version=_version(request), active=active
        )
    except (ConflictError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Person reactivated.") if active else _("Person deactivated."))
    return redirect("core:person_detail", pk=person.pk)


@login_required
@require_POST
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _directory_user(request)
    person = selectors.person_detail_or_404(user, pk)
    require_page(user, Capability.WRITE)
    try:
        services.person_delete(acting_user=user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("core:person_detail", pk=person.pk)
    messages.success(request, _("Person deleted."))
    return redirect("core:person_list")


@login_required
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """合并重复人员: fold the chosen duplicates into this Person."""
    user = _directory_user(request)
    survivor = selectors.person_detail_or_404(user, pk)
    require_page(user, Capability.WRITE)
    q = request.GET.get("q")
    shown = selectors.merge_candidates(user, survivor, q)
    allowed = selectors.merge_candidates(user, survivor, "")
    form = PersonMergeForm(
        request.POST or None,
        candidates=allowed if request.method == "POST" else shown,
        initial={"version": survivor.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.person_merge(
                acting_user=user,
                survivor=survivor,
                duplicates=form.cleaned_data["duplicates"],
                expected_version=form.cleaned_data["version"],
            )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Merged; %(n)d references moved to this person.") % {"n": sum(moved.values())},
            )
            return redirect("core:person_detail", pk=survivor.pk)
    return render(
        request, "core/person_merge.html", {"form": form, "person": survivor, "q": q or ""}
    )


# --- the inbox (提醒) ------------------------------------------------------------------

#: alerts per inbox page by default
INBOX_PAGE_SIZE = 30


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """My alerts, unread first, with the filter bar and my channel choice."""
    user = request_user(request)
    form = InboxFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    rows = selectors.alerts_for(user, filters)
    return render(
        request,
        "core/inbox.html",
        {
            **list_context(request, rows, (), INBOX_PAGE_SIZE),
            "form": form,
            "channel_form": AlertChannelForm(initial={"email": selectors.email_chosen(user)}),
            "has_email": bool(user.email),
        },
    )


@login_required
@require_GET
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an alert: it is marked read and the user lands on its object."""
    user = request_user(request)
    alert = selectors.alert_or_404(user, pk)
    services.alert_mark_read(acting_user=user, alert=alert)
    if alert.link and url_has_allowed_host_and_scheme(
        alert.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(alert.link)
    return redirect("core:inbox")


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    return redirect(f"{reverse('core:inbox')}?{query}" if query else reverse("core:inbox"))


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    services.alert_mark_read(acting_user=user, alert=selectors.alert_or_404(user, pk))
    return _back_to_inbox(request)


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = services.alert_mark_all_read(acting_user=request_user(request))
    messages.success(
        request,
        ngettext("%(n)d alert marked read.", "%(n)d alerts marked read.", count) % {"n": count},
    )
    return _back_to_inbox(request)


@login_required
@require_POST
def inbox_channels(request: HttpRequest) -> HttpResponse:
    """Save the user's channel choice; a refusal is shown and nothing is saved."""
    user = request_user(request)
    form = AlertChannelForm(request.POST)
    if form.is_valid():
        try:
            services.alert_channel_save(acting_user=user, email=form.cleaned_data["email"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your alert channels are saved."))
    return _back_to_inbox(request)
