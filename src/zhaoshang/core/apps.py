from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "zhaoshang.core"
    label = "core"
    verbose_name = _("Areas, units and users")


class ZhaoshangAdminConfig(admin_apps.AdminConfig):
    default = False
    """Django's admin, with a site that lets in users holding the admin role."""

    default_site = "zhaoshang.core.admin_site.ZhaoshangAdminSite"

    def ready(self) -> None:
        super().ready()  # autodiscover: every app's admin module is imported now
        from .admin_site import unregister_unscoped_admins

        unregister_unscoped_admins()
