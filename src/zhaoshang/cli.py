"""The ``zhaoshang`` console script: Django's manage.py under the project's name."""

from __future__ import annotations

import contextlib
import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command (``zhaoshang migrate``, ``zhaoshang demo`` ...).

    The var dir (and the SQLite file's directory) is made here, before the
    command runs, because importing settings makes nothing (``zhaoshang.vardir``).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from zhaoshang import vardir

    # a bad setting is reported by Django itself, which still answers `zhaoshang help`
    with contextlib.suppress(ImproperlyConfigured):
        vardir.prepare()
    execute_from_command_line(["zhaoshang", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
