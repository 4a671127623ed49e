from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConstructionConfig(AppConfig):
    name = "zhaoshang.construction"
    label = "construction"
    verbose_name = _("Project construction")

    def ready(self) -> None:
        from zhaoshang.core.navigation import MenuItem, official, register

        from .home import register_home_panels
        from .panels import register_audit_links, register_key_levels, register_panels
        from .sweep import register_sweep

        register_panels()
        register_audit_links()
        register_key_levels()
        register_home_panels()
        register_sweep()
        register(
            MenuItem(40, _("Key projects"), "construction:keylist", official),
            MenuItem(50, _("Work plans"), "construction:milestone_list", official),
            MenuItem(60, _("Project reserve"), "construction:reserve_board", official),
            MenuItem(65, _("Paid-in capital"), "construction:capital_list", official),
        )
