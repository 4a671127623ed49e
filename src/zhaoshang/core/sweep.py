"""The daily sweep (每日清扫): registered steps, each idempotent, each in its own transaction.

An app registers a step from its ``AppConfig.ready()`` with
``register_sweep_step(name, fn, label)``; ``fn(today)`` sets its flags and
writes its alerts with set-based SQL (``core.services.notify_query``) and
returns counts (``{"milestone_overdue": 3}``). ``run_sweep`` runs them all:
``zhaoshang sweep`` by hand, the huey task at 08:00 on working days.

Two sweeps at once are safe: each step is claimed through its ``SweepRun``
row (unique per day and step) before it runs, so of two concurrent runs one
runs the step and the other reports it skipped. A later run the same day runs
every step again and, the alerts' keys being unique, creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import override

from .choices import SweepStatus
from .models import SweepRun

log = logging.getLogger(__name__)

SweepFn = Callable[[dt.date], dict[str, int]]


@dataclass(frozen=True)
class SweepStep:
    name: str
    fn: SweepFn
    label: str | Promise


@dataclass
class StepResult:
    """What one step did: ``done`` with its counts, ``skipped`` (another run has it) or
    ``failed`` with the error (its transaction rolled back; the other steps still ran)."""

    step: SweepStep
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""


_STEPS: dict[str, SweepStep] = {}


def register_sweep_step(name: str, fn: SweepFn, label: str | Promise = "") -> None:
    """Add a step (registering a name again replaces it: ``ready()`` may run twice)."""
    if not name or len(name) > 64:
        raise ValueError(f"sweep step {name!r}: 1-64 characters")
    _STEPS[name] = SweepStep(name, fn, label or name)


def sweep_steps() -> list[SweepStep]:
    return list(_STEPS.values())


def run_sweep(today: dt.date | None = None, *, only: str | None = None) -> list[StepResult]:
    """Run every registered step (or the one named ``only``) for ``today``."""
    today = today or timezone.localdate()
    steps = [s for s in _STEPS.values() if only is None or s.name == only]
    with override(settings.LANGUAGE_CODE):  # alert texts are stored in the site's language
        return [_run_step(step, today) for step in steps]


def _run_step(step: SweepStep, today: dt.date) -> StepResult:
    run_id = claim_step(today, step.name)
    if run_id is None:
        return StepResult(step, "skipped")
    try:
        with transaction.atomic():
            counts = {key: int(value) for key, value in step.fn(today).items()}
    except Exception as exc:  # one broken step must not stop the others' alerts
        log.exception("sweep step %s failed for %s", step.name, today)
        error = f"{type(exc).__name__}: {exc}"
        _release(run_id, SweepStatus.FAILED, {}, error)
        return StepResult(step, "failed", error=error)
    _release(run_id, SweepStatus.DONE, counts, "")
    return StepResult(step, "done", counts)


def claim_step(day: dt.date, step: str) -> int | None:
    """The id of the step's run row if this process may run it now, else None.

    INSERT of (day, step) first; when the row exists, a conditional UPDATE
    takes it if it is finished (a re-run) or its runner's lease expired. Both
    are single statements, so exactly one of two concurrent claimers wins on
    SQLite (one writer at a time) and on PostgreSQL (the unique index and the
    row lock make the loser wait, then see the row taken).
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            run = SweepRun.objects.create(
                day=day, step=step, status=SweepStatus.RUNNING, started_at=now
            )
        return run.pk
    except IntegrityError:
        pass
    stale = now - dt.timedelta(minutes=settings.ZHAOSHANG_SWEEP_LEASE_MINUTES)
    free = Q(status__in=[SweepStatus.DONE, SweepStatus.FAILED]) | Q(
        status=SweepStatus.RUNNING, started_at__lt=stale
    )
    rows = SweepRun.objects.filter(free, day=day, step=step)
    taken = rows.update(
        status=SweepStatus.RUNNING, started_at=now, finished_at=None, runs=F("runs") + 1
    )
    if not taken:
        return None
    return SweepRun.objects.filter(day=day, step=step).values_list("pk", flat=True).first()


def _release(run_id: int, status: str, counts: dict[str, int], error: str) -> None:
    SweepRun.objects.filter(pk=run_id).update(
        status=status, finished_at=timezone.now(), counts=counts, error=error[:2000]
    )
