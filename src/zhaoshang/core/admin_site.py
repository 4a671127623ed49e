"""The admin site: Chinese titles, open to superusers and users with the admin role."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from .policy import Capability, can


class ZhaoshangAdminSite(admin.AdminSite):
    site_header = _("Zhaoshang administration")
    site_title = _("Zhaoshang administration")
    index_title = _("Areas, units, users and roles")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return can(user, Capability.ADMINISTER)

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        """A signed-in user without the admin role gets 404, not a log-in page loop."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return guarded


def unregister_unscoped_admins() -> None:
    """django-otp and django-axes register admins that show every area's rows.

    Their functions are offered, scoped and audited, as user actions above.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice, Group):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
