"""Account rules (等保 2.0 L3) that the middleware, views and tests share."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import User


def otp_required(user: User) -> bool:
    """Admins, leaders and superusers must prove a second factor (TOTP)."""
    return user.is_superuser or user.has_role(*settings.OTP_REQUIRED_ROLES)


def password_expired(user: User) -> bool:
    """Forced change: an admin-made account, a never-set date, or older than 90 days."""
    if user.must_change_password or user.password_changed_at is None:
        return True
    max_age = timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    return timezone.now() - user.password_changed_at > max_age
