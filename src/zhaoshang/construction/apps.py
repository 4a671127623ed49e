from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConstructionConfig(AppConfig):
    name = "zhaoshang.construction"
    label = "construction"
    verbose_name = _("Project construction")

    def ready(self) -> None:
        from .panels import register_key_levels, register_panels

        register_panels()
        register_key_levels()
