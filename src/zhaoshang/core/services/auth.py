from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..choices import AuditAction, AuditResult
from ..models import ApiToken, TokenScope, User
from ..policy import Capability, require
from .audit import audit_record

# --- authentication events -----------------------------------------------------


def auth_record_login(*, user: User) -> None:
    audit_record(acting_user=user, action=AuditAction.LOGIN, instance=user, area=user.area)


def auth_record_login_failed(*, username: str, locked_out: bool) -> None:
    """A failed log-in, tied to the account when the username exists."""
    user = User.objects.filter(username=username).select_related("area").first()
    audit_record(
        acting_user=user,
        action=AuditAction.LOCKED_OUT if locked_out else AuditAction.LOGIN_FAILED,
        username=username[:150],
        area=user.area if user else None,
        object_type="core.user" if user else "",
        object_repr=username[:200],
        result=AuditResult.FAILURE,
    )


def auth_record_logout(*, user: User, expired: bool = False) -> None:
    audit_record(
        acting_user=user,
        action=AuditAction.SESSION_EXPIRED if expired else AuditAction.LOGOUT,
        instance=user,
        area=user.area,
    )


@transaction.atomic
def otp_enrol_confirm(*, user: User, key: str, token: str) -> TOTPDevice | None:
    """Store the TOTP device only once the app's first code matches the shown key.

    The key lives in the session until then, so abandoned enrolments leave no rows.
    """
    device = TOTPDevice.objects.create(user=user, name="TOTP", key=key, confirmed=False)
    ok = device.verify_token(token)
    if ok:
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    else:
        device.delete()
    auth_record_otp(user=user, enrolled=True, ok=ok)
    return device if ok else None


@transaction.atomic
def otp_reset(*, acting_user: User, user: User) -> None:
    """Remove a user's TOTP devices (lost phone); they enrol again at next log-in."""
    require(acting_user, Capability.ADMINISTER)
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=user,
        before={"totp_devices": count},
        after={"totp_devices": 0},
    )


@transaction.atomic
def user_unlock(*, acting_user: User, user: User) -> int:
    """Lift a django-axes lockout early; the audit row names who did it."""
    require(acting_user, Capability.ADMINISTER)
    from axes.utils import reset

    cleared = reset(username=user.username)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=user,
        before={"locked_attempts": cleared},
        after={"locked_attempts": 0},
    )
    return cleared


#: wrong codes in a row that close the second step for ``OTP_LOCK``
OTP_MAX_FAILURES = 5
OTP_LOCK = timedelta(minutes=15)


def otp_locked_until(user: User) -> Any:
    """When the second step opens again after ``OTP_MAX_FAILURES`` wrong codes, else None.

    This replaces django-otp's doubling delay (``OTP_TOTP_THROTTLE_FACTOR = 0``),
    which refused the right code typed just after a wrong one. django-otp still
    counts wrong codes on the device row (reset by a right one), so every app
    process sees the same lock.
    """
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=True)
        .order_by("-throttling_failure_count")
        .first()
    )
    if device is None or device.throttling_failure_count < OTP_MAX_FAILURES:
        return None
    if device.throttling_failure_timestamp is None:
        return None
    until = device.throttling_failure_timestamp + OTP_LOCK
    return until if until > timezone.now() else None


def auth_record_otp(*, user: User, enrolled: bool, ok: bool) -> None:
    audit_record(
        acting_user=user,
        action=AuditAction.OTP_ENROL if enrolled else AuditAction.OTP_VERIFY,
        instance=user,
        area=user.area,
        result=AuditResult.SUCCESS if ok else AuditResult.FAILURE,
    )


# --- personal API tokens -------------------------------------------------------

TOKEN_PREFIX = "zs_"  # noqa: S105 - the public marker of a token, not a secret
MAX_TOKEN_DAYS = 366
TOKEN_TOUCH_SECONDS = 60


def token_hash(plaintext: str) -> str:
    """SHA-256 of the whole ``zs_…`` string: the only form of a token the database keeps."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, acting_user: User | None, user: User, name: str, scope: str, days: int
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; the plaintext is returned once and never stored.

    Issued by an admin on the CLI (not self-service): a token skips the
    browser's TOTP step, so handing one out is a decision someone answers for.
    """
    errors: dict[str, str] = {}
    if not user.is_active:
        errors["user"] = _("This account is disabled.")
    if scope not in TokenScope.values:
        errors["scope"] = _("The scope must be “read” or “write”.")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        errors["expires_at"] = _("A token is valid for 1 to %(max)d days.") % {
            "max": MAX_TOKEN_DAYS
        }
    if errors:
        raise ValidationError(errors)
    while True:  # an 8-character prefix collides about once in 10^14 tokens
        secret = secrets.token_urlsafe(32)
        if not ApiToken.objects.filter(prefix=secret[:8]).exists():
            break
    plaintext = f"{TOKEN_PREFIX}{secret}"
    token = ApiToken(
        user=user,
        name=name.strip() or "api",
        prefix=secret[:8],
        key_hash=token_hash(plaintext),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=token,
        area=user.area,
        after=_token_facts(token),
    )
    return token, plaintext


@transaction.atomic
def token_revoke(*, acting_user: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token for good (it cannot be re-enabled; issue a new one instead)."""
    if token.revoked:
        return token
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=token,
        area=token.user.area,
        before={"revoked": False},
        after={"revoked": True},
    )
    return token


def token_mark_used(*, token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute.

    Deliberately not audited: it is bookkeeping on every API call, not a
    change anyone made, and would flood the audit log.
    """
    now = timezone.now()
    if token.last_used_at and (now - token.last_used_at).total_seconds() < TOKEN_TOUCH_SECONDS:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def _token_facts(token: ApiToken) -> dict[str, Any]:
    return {
        "user": token.user.get_username(),
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "expires_at": token.expires_at.isoformat(),
    }
