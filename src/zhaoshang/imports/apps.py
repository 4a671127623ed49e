from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Shared Excel import machinery: file checks, header finding, cell coercion, jobs."""

    name = "zhaoshang.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from zhaoshang.core.navigation import MenuItem, having, register
        from zhaoshang.core.policy import Capability

        from .home import register_home_panels

        register_home_panels()
        register(MenuItem(90, _("Imports"), "imports:index", having(Capability.IMPORT)))
