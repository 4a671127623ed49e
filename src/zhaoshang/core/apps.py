from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "zhaoshang.core"
    label = "core"
    verbose_name = _("Areas, units and users")

    def ready(self) -> None:
        from .audit_display import register_object_links
        from .navigation import MenuItem, having, official, register
        from .policy import Capability
        from .selectors import person_links

        register(
            MenuItem(0, _("Home"), "core:home", lambda user: True),
            MenuItem(85, _("Person directory"), "core:person_list", official),
            MenuItem(95, _("Audit log"), "core:audit_list", having(Capability.READ_AUDIT)),
            MenuItem(97, _("Administration"), "admin:index", having(Capability.ADMINISTER)),
            MenuItem(99, _("API"), "/api/docs", official),
        )
        register_object_links("core.person", person_links)
        register_alerts()


def register_alerts() -> None:
    """After a commit that wrote outbox rows, a huey worker delivers them."""
    from .services import register_delivery_kick
    from .tasks import deliver_outbox_soon

    register_delivery_kick(deliver_outbox_soon)


class ZhaoshangAdminConfig(admin_apps.AdminConfig):
    default = False
    """Django's admin, with a site that lets in users holding the admin role."""

    default_site = "zhaoshang.core.admin_site.ZhaoshangAdminSite"

    def ready(self) -> None:
        super().ready()  # autodiscover: every app's admin module is imported now
        from .admin_site import unregister_unscoped_admins

        unregister_unscoped_admins()
