from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "zhaoshang.approvals"
    label = "approvals"
    verbose_name = _("Agency approvals")

    def ready(self) -> None:
        from zhaoshang.core.navigation import MenuItem, official, register

        from .deadlines import register_deadlines
        from .home import register_home_panels
        from .panels import register_audit_links, register_panels
        from .sweep import register_sweep

        register_panels()
        register_audit_links()
        register_home_panels()
        register_sweep()
        register_deadlines()
        register(
            MenuItem(62, _("Approvals"), "approvals:board", official),
            MenuItem(63, _("Approval catalogue"), "approvals:catalogue", official),
        )
