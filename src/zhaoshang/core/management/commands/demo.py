"""``zhaoshang demo``: load the Yicheng demo (idempotent) and print the logins."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from zhaoshang.core.demo import DEMO_PASSWORD, USERS


def demo_loaders() -> list[Callable[[], object]]:
    """Each installed app's ``demo.load_demo``, in INSTALLED_APPS order (core first)."""
    loaders = []
    for app in apps.get_app_configs():
        if app.name.startswith("zhaoshang.") and module_has_submodule(app.module, "demo"):
            loaders.append(import_module(f"{app.name}.demo").load_demo)
    return loaders


class Command(BaseCommand):
    help = "Load the demo district from the seed article (safe to run again) and print logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="do not print the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        for loader in demo_loaders():
            loader()
        if options["quiet"]:
            return
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）:")
        width = max(len(u.username) for u in USERS) + 2
        for spec in USERS:
            self.stdout.write(f"  {spec.username:<{width}}{spec.note}")
