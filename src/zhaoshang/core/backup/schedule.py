"""The daily backup the job worker runs, and the retention of its archives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .common import (
    SCHEDULED_PREFIX,
    SCHEDULED_SUFFIX,
)
from .create import create_backup


def scheduled_name(now: dt.datetime | None = None) -> str:
    """``zhaoshang-20261129-023000.tar.gz`` in the site's time: names sort by age."""
    return f"{SCHEDULED_PREFIX}{timezone.localtime(now):%Y%m%d-%H%M%S}{SCHEDULED_SUFFIX}"


def scheduled_archives(directory: Path) -> list[Path]:
    """The scheduled archives in ``directory``, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file()
        and path.name.startswith(SCHEDULED_PREFIX)
        and path.name.endswith(SCHEDULED_SUFFIX)
    )


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` scheduled archives; the deleted paths."""
    archives = scheduled_archives(directory)
    old = archives[: max(len(archives) - max(keep, 1), 0)]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def scheduled_backup(now: dt.datetime | None = None) -> Path:
    """The daily backup: a new archive in ``ZHAOSHANG_BACKUP_DIR``, then the retention.

    Old archives are deleted only after the new one is complete, so a failing
    backup never costs the ones before it.
    """
    directory = Path(settings.ZHAOSHANG_BACKUP_DIR)
    path = directory / scheduled_name(now)
    create_backup(path)
    prune_backups(directory, settings.ZHAOSHANG_BACKUP_KEEP)
    return path
