from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "zhaoshang.projects"
    label = "projects"
    verbose_name = _("Investment projects")

    def ready(self) -> None:
        from zhaoshang.core.navigation import MenuItem, official, register, register_home
        from zhaoshang.core.person_slots import register_person_slots
        from zhaoshang.core.policy import investor_only

        from .choices import CHAIN_SLOTS
        from .home import register_home_panels
        from .models import Project
        from .panels import register_audit_links

        register(
            MenuItem(10, _("Projects"), "projects:project_list", official),
            MenuItem(20, _("Enterprises"), "projects:enterprise_list", official),
            MenuItem(80, _("Chain report"), "projects:chain_report", official),
        )
        register_home("investor", investor_only, "projects:investor_home")
        register_home_panels()
        register_audit_links()
        # a 人员库 merge must not leave one Person in two slots of a chain
        register_person_slots(Project, (*CHAIN_SLOTS, "trackers"))
