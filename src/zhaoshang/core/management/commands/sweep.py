"""``zhaoshang sweep [--date YYYY-MM-DD]``: run the daily sweep now and print what it did.

The same steps huey runs at 08:00 on working days (``core.sweep``); safe to
run by hand at any time, twice, or while the scheduled one runs: a step
another sweep holds is reported skipped, and nothing is alerted twice.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import override

from zhaoshang.core.alert_kinds import alert_kind_label
from zhaoshang.core.sweep import StepResult, run_sweep, sweep_steps


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "Run the daily sweep (overdue flags and alerts) for today or --date."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--date", type=_date, help="the day to sweep for (YYYY-MM-DD)")
        parser.add_argument("--step", help="run only this step (by name)")

    def handle(self, *args: Any, **options: Any) -> None:
        with override(settings.LANGUAGE_CODE):
            names = {step.name for step in sweep_steps()}
            if options["step"] and options["step"] not in names:
                raise CommandError(
                    _("Unknown sweep step %(step)s; the steps are: %(steps)s")
                    % {"step": options["step"], "steps": ", ".join(sorted(names))}
                )
            results = run_sweep(options["date"], only=options["step"])
            for result in results:
                self.stdout.write(describe(result))
            if any(r.status == "failed" for r in results):
                raise CommandError(_("Some sweep steps failed; see the messages above."))


def describe(result: StepResult) -> str:
    """One line per step, in the site's language: what it created, or why it did not run."""
    label = str(result.step.label)
    if result.status == "skipped":
        return _("%(step)s: skipped, another sweep is running it.") % {"step": label}
    if result.status == "failed":
        return _("%(step)s: failed (%(error)s).") % {"step": label, "error": result.error}
    counts = "，".join(
        _("%(kind)s %(n)d new") % {"kind": alert_kind_label(kind), "n": n}
        for kind, n in result.counts.items()
    )
    return _("%(step)s: %(counts)s.") % {"step": label, "counts": counts or _("nothing to do")}
