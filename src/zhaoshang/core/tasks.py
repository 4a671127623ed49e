"""Core's huey tasks: thin, they call a service or the sweep.

``deliver_outbox`` runs after each commit that wrote outbox rows (the
services call ``register_delivery_kick``'s hook, set up by ``CoreConfig.ready``)
and every minute, so nothing waits for the next alert to be sent.
``daily_backup`` writes the night's archive at ``ZHAOSHANG_BACKUP_HOUR``:30 and
prunes the old ones (``core.backup``).
``daily_sweep`` wakes every hour and runs the sweep at
``ZHAOSHANG_SWEEP_HOUR`` Asia/Shanghai on working days: huey's crontab reads
the worker's clock in UTC, the site's hour is the site's time zone.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .backup import scheduled_backup
from .calendar import is_working_day
from .services import outbox_deliver
from .sweep import run_sweep

log = logging.getLogger(__name__)


@db_task()
def deliver_outbox() -> None:
    outbox_deliver()


@db_periodic_task(crontab(minute="*"))
def deliver_outbox_every_minute() -> None:
    """Retries come due with nobody writing: this run sends them."""
    outbox_deliver()


def deliver_outbox_soon() -> None:
    """Hand a delivery to a worker (called after a commit that wrote outbox rows)."""
    deliver_outbox()


def sweep_due(now: dt.datetime | None = None) -> bool:
    """Whether the sweep runs now: its hour, Asia/Shanghai, on a working day.

    A year with no calendar yet counts as working: better an alert on a
    holiday than none on a working day.
    """
    local = timezone.localtime(now)
    if local.hour != settings.ZHAOSHANG_SWEEP_HOUR:
        return False
    try:
        return is_working_day(local.date())
    except ValidationError:
        return True


@db_periodic_task(crontab(minute="0"))
def daily_sweep() -> None:
    if sweep_due():
        for result in run_sweep():
            log.info("sweep %s: %s %s", result.step.name, result.status, result.counts)


def backup_due(now: dt.datetime | None = None) -> bool:
    """Whether the daily backup runs now: its hour, Asia/Shanghai, unless retention is 0."""
    keep = settings.ZHAOSHANG_BACKUP_KEEP
    return keep > 0 and timezone.localtime(now).hour == settings.ZHAOSHANG_BACKUP_HOUR


@db_periodic_task(crontab(minute="30"))
def daily_backup() -> None:
    """The archive of the night (``core.backup.scheduled_backup``), then the retention.

    Every job worker's scheduler fires this; with a shared cache (Redis) the
    first to claim the day writes the archive and the others skip.
    """
    if backup_due() and cache.add(f"zhaoshang:daily-backup:{timezone.localdate()}", 1, 86400):
        log.info("daily backup written: %s", scheduled_backup())
