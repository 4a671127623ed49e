from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "zhaoshang.targets"
    label = "targets"
    verbose_name = _("Targets and indicators")

    def ready(self) -> None:
        from zhaoshang.core.navigation import MenuItem, official, register

        from .home import register_home_panels

        register_home_panels()
        register(MenuItem(70, _("Targets and indicators"), "targets:table", official))
