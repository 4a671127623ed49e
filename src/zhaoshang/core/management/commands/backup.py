"""``zhaoshang backup FILE``: one archive with the database, the uploaded files and a manifest.

Safe while the site runs (``core.backup``); the archive appears under FILE
only once complete. ``docs/operations.md`` has the restore drill.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import override

from zhaoshang.core.backup import BackupError, create_backup, summary


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive (.tar.gz)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the archive to write, e.g. zs.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        with override(settings.LANGUAGE_CODE):
            try:
                manifest = create_backup(options["file"])
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(_("Backup written to %(file)s.") % {"file": options["file"]})
            for line in summary(manifest):
                self.stdout.write(line)
