"""The admin site: Chinese titles, open to superusers and users with the admin role."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

from .policy import Capability, can

#: strings of the admin's templates that Django 5.2's zh_Hans catalogue lacks; the
#: project's catalogue translates them (it comes first on the locale path)
ADMIN_TEMPLATE_MSGIDS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
)
#: the same for the admin's scripts (the two-box picker says "Choose 角色…" without them)
ADMIN_SCRIPT_MSGIDS = (
    gettext_noop('Choose %s by selecting them and then select the "Choose" arrow button.'),
    gettext_noop("Choose all %s"),
    gettext_noop("Choose selected %s"),
    gettext_noop("Remove selected %s"),
    gettext_noop('Remove %s by selecting them and then select the "Remove" arrow button.'),
    gettext_noop("(click to clear)"),
    gettext_noop("Remove all %s"),
)


class AdminScriptCatalog(JavaScriptCatalog):
    """Django's admin script catalogue, completed from the project's for what it lacks.

    The project's catalogue is the only place translations are written
    (``docs/translating.md``), so the missing script strings live there, in the
    ``django`` domain, and are copied in here per request language.
    """

    def get_catalog(self) -> dict[str, Any]:
        catalog: dict[str, Any] = super().get_catalog()
        for msgid in ADMIN_SCRIPT_MSGIDS:
            translated = gettext(msgid)
            if not catalog.get(msgid) and translated != msgid:
                catalog[msgid] = translated
        return catalog


class ZhaoshangAdminSite(admin.AdminSite):
    site_header = _("Zhaoshang administration")
    site_title = _("Zhaoshang administration")
    index_title = _("Areas, units, users and roles")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return can(user, Capability.ADMINISTER)

    def i18n_javascript(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The admin's script strings, completed from the project's catalogue."""
        response = AdminScriptCatalog.as_view(packages=["django.contrib.admin"])(request)
        assert isinstance(response, HttpResponse)
        return response

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
