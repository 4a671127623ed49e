"""``zhaoshang restore FILE [--force]``: load a backup archive into an empty database.

Stop the site and the job worker first. Everything in the archive is checked
before anything is written, and the database is loaded so that a mismatch
with the manifest leaves it unchanged (``core.backup``, ``docs/operations.md``).
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import override

from zhaoshang.core.backup import BackupError, made_at, restore_backup, summary


class Command(BaseCommand):
    help = "Restore a backup archive into the (empty) database and the file storage."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the archive written by `zhaoshang backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace everything in a database that is not empty",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with override(settings.LANGUAGE_CODE):
            try:
                manifest = restore_backup(options["file"], force=options["force"])
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                _(
                    "Restored %(file)s (made %(at)s, version %(version)s): every table and "
                    "file matches its manifest."
                )
                % {
                    "file": options["file"],
                    "at": made_at(manifest),
                    "version": manifest["app_version"],
                }
            )
            for line in summary(manifest):
                self.stdout.write(line)
