from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "zhaoshang.reports"
    label = "reports"
    verbose_name = _("Reports and dashboards")

    def ready(self) -> None:
        from zhaoshang.core.audit_display import register_type_label
        from zhaoshang.core.navigation import MenuItem, official, register

        register(MenuItem(30, _("Dashboard"), "reports:index", official))
        register_type_label("reports.dashboard", _("Dashboard"))
