"""``zhaoshang demo``: load the Yicheng demo (idempotent) and print the logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhaoshang.core.demo import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo district from the seed article (safe to run again) and print logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="do not print the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo()
        if options["quiet"]:
            return
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）:")
        width = max(len(u.username) for u in USERS) + 2
        for spec in USERS:
            self.stdout.write(f"  {spec.username:<{width}}{spec.note}")
