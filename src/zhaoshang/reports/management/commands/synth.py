"""``zhaoshang synth``: build a province-scale synthetic dataset in the configured database."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from zhaoshang.reports.synth import synthesize


class Command(BaseCommand):
    help = (
        "Generate synthetic areas, projects, key lists, monthly reports, milestones and "
        "targets for benchmarks (the database in DATABASE_URL); refuses real data unless --force."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--areas", type=int, default=150, help="areas in all (default 150)")
        parser.add_argument(
            "--projects", type=int, default=200_000, help="projects (default 200000)"
        )
        parser.add_argument("--months", type=int, default=24, help="months of reports (default 24)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (repeatable)")
        parser.add_argument(
            "--force", action="store_true", help="write even if the database holds real data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        name = connection.settings_dict["NAME"]
        self.stdout.write(f"synth → {connection.vendor} {name}")
        try:
            result = synthesize(
                areas=options["areas"],
                projects=options["projects"],
                months=options["months"],
                seed=options["seed"],
                force=options["force"],
                progress=self.stdout.write,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        total = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"done in {total:.1f} s: province {result.province.code} {result.province.name}"
            )
        )
        for key, count in result.counts.items():
            self.stdout.write(f"  {key:<22}{count:>12}")
