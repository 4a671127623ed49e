"""``zhaoshang export KIND FILE.xlsx --area CODE --user NAME [--year YYYY]``: Excel from the shell.

Exports run as a named person, never as an anonymous "system": the file
holds exactly what that user may see, and the audit log says who took it out
(等保: every export attributable). ``--user`` is therefore required.
``--area`` narrows the export to that area and everything below it; it must
be an area the user can see. ``--year`` is the year whose 重点项目级别 the ledger
shows (default this year), as the page's year filter.

The file appears only when complete (written next to the target, then
renamed), so a failed export never leaves a half-written ledger behind.
Kinds are registered in ``KINDS``; each later kind (enterprises, activities …)
adds one entry with a function ``(user, area, target) -> rows``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhaoshang.core.models import Area, User
from zhaoshang.core.selectors import areas_visible_to
from zhaoshang.projects.exports import export_projects
from zhaoshang.projects.keylevels import MAX_YEAR, MIN_YEAR


@dataclass(frozen=True)
class ExportKind:
    help: str
    run: Callable[[User, Area, str, int | None], int]


def _projects(user: User, area: Area, target: str, year: int | None) -> int:
    filters = {} if year is None else {"year": year}
    return export_projects(user=user, filters=filters, target=target, within=area)


KINDS: dict[str, ExportKind] = {
    "projects": ExportKind(help="招商项目台账 (project ledger)", run=_projects),
}


class Command(BaseCommand):
    help = "Export a ledger to an .xlsx file as a given user, limited to an area and below."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(title="kinds", dest="kind", required=True)
        for name, kind in KINDS.items():
            sub = kinds.add_parser(name, help=kind.help)
            sub.add_argument("file", help="the .xlsx file to write (replaced if it exists)")
            sub.add_argument(
                "--area", required=True, help="area code (GB/T 2260); the area and below"
            )
            sub.add_argument(
                "--user",
                required=True,
                help="username the export runs as: only rows they may see, audited as theirs",
            )
            sub.add_argument(
                "--year",
                type=_year,
                help="the year whose key-project level the ledger shows (default: this year)",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = KINDS[options["kind"]]
        user = _user(options["user"])
        area = _area(user, options["area"])
        path = _target(options["file"])
        rows = _write_atomically(path, lambda tmp: kind.run(user, area, tmp, options["year"]))
        self.stdout.write(
            _("Exported %(rows)d rows of %(area)s as %(user)s to %(path)s")
            % {"rows": rows, "area": area, "user": user.get_username(), "path": path}
        )


def _year(text: str) -> int:
    """A four-digit year the ledger can show; argparse reports anything else as an error."""
    if not (text.isdigit() and MIN_YEAR <= int(text) <= MAX_YEAR):
        raise argparse.ArgumentTypeError(
            _("Enter a year from %(min)d to %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    return int(text)


def _user(username: str) -> User:
    user = User.objects.filter(username=username).select_related("area").first()
    if user is None:
        raise CommandError(_("There is no user “%(user)s”.") % {"user": username})
    if not user.is_active:
        raise CommandError(_("The account “%(user)s” is disabled.") % {"user": username})
    return user


def _area(user: User, code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise CommandError(_("There is no area with code “%(code)s”.") % {"code": code})
    if not areas_visible_to(user).filter(pk=area.pk).exists():
        raise CommandError(
            _("%(user)s may not see %(area)s, so cannot export it.")
            % {"user": user.get_username(), "area": area}
        )
    return area


def _target(name: str) -> Path:
    path = Path(name)
    if path.suffix.lower() != ".xlsx":
        raise CommandError(_("The file name must end in .xlsx: %(path)s") % {"path": name})
    if not path.parent.is_dir():
        raise CommandError(_("No such directory: %(dir)s") % {"dir": path.parent})
    return path


def _write_atomically(path: Path, write: Callable[[str], int]) -> int:
    """Write into a temporary file beside ``path`` and rename it into place when done."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".xlsx")
    os.close(fd)
    try:
        rows = write(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return rows
