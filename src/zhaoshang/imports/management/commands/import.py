"""``zhaoshang import KIND FILE.xlsx --area CODE [--year Y] [--dry-run] [--user NAME]``.

``[--report PATH]`` too.

``--year`` is an option of the kinds that declare it (monthly investment).

Runs the same job as the web upload (file checks, all-or-nothing import,
audit), prints a summary or every error as “第N行 [列名] 原因”, and exits 1 on
any error, leaving an error-report workbook next to the file (or at --report).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from zhaoshang.core.models import Area, User
from zhaoshang.imports import services
from zhaoshang.imports.errors import write_error_report
from zhaoshang.imports.kinds import KINDS


class Command(BaseCommand):
    help = "Import an Excel file (kinds: projects, investments) into an area, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="what the file holds")
        parser.add_argument("file", type=Path, help="the .xlsx file")
        parser.add_argument("--area", required=True, help="area code, e.g. 411702")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--year", type=int, help="the year the file reports (kinds: investments)"
        )
        parser.add_argument("--user", help="username the import is done as (default: the system)")
        parser.add_argument("--report", type=Path, help="where to write the error report (.xlsx)")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        area = Area.objects.filter(code=options["area"]).first()
        if area is None:
            raise CommandError(_("Unknown area code %(code)s.") % {"code": options["area"]})
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(name)s.") % {"name": options["user"]})
            translation.activate(user.language)
        extra = {"year": options["year"]} if options["year"] is not None else {}
        if extra and "year" not in KINDS[options["kind"]].options:
            raise CommandError(
                _("--year is not an option of the %(kind)s import.") % {"kind": options["kind"]}
            )
        try:
            job = services.job_create(
                acting_user=user,
                area=area,
                kind=options["kind"],
                file_name=path.name,
                dry_run=options["dry_run"],
                options=extra,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        outcome = services.job_run(job=job, path=path)
        for note in outcome.notes:
            self.stdout.write(note)
        if outcome.errors:
            for line in outcome.errors.lines():
                self.stderr.write(line)
            report = options["report"] or path.with_name(f"{path.stem}-errors.xlsx")
            write_error_report(report, outcome.errors)
            raise CommandError(
                _("%(n)d error(s); nothing was imported. Error report: %(report)s")
                % {"n": len(outcome.errors), "report": report},
                returncode=1,
            )
        summary = _(
            "%(area)s: %(rows)d rows read; %(created)d created, %(updated)d updated, "
            "%(unchanged)d unchanged."
        ) % {
            "area": area.name,
            "rows": outcome.total_rows,
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
        }
        if options["dry_run"]:
            summary += " " + _("Dry run: nothing was saved.")
        self.stdout.write(self.style.SUCCESS(summary))
