"""Every write of the import machinery: creating a job, running it, recording the outcome.

A job is created (and audited) when a file is accepted, then run — inline in
the request for small files, by a huey worker for large ones, directly by the
CLI. Running never raises for bad input: whatever went wrong ends up in the
job's errors and its downloadable report, and the job row is audited again
with the outcome.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
import uuid
import zipfile
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction, AuditResult
from zhaoshang.core.context import current_ip
from zhaoshang.core.models import Area, User
from zhaoshang.core.policy import Capability, can, can_reach
from zhaoshang.core.services import audit_record
from zhaoshang.core.storage import local_copy

from .choices import JobPhase, JobStatus
from .errors import RowError, write_error_report
from .kinds import KINDS, ImportOutcome, importer_for
from .models import ImportJob
from .safety import ImportFileError, check_workbook, count_rows, estimate_rows

logger = logging.getLogger(__name__)

#: files with at most this many rows run inside the upload request; larger ones are queued
INLINE_ROW_LIMIT = 2000
#: how often (seconds) the reading phase writes its progress (and heartbeat) to the job row
PROGRESS_INTERVAL = 0.5


def inline_row_limit() -> int:
    return int(getattr(settings, "ZHAOSHANG_IMPORT_INLINE_ROWS", INLINE_ROW_LIMIT))


def runs_inline(source: str | Path | IO[bytes]) -> bool:
    """Small files run in the request; larger ones (and unreadable ones) go to the worker.

    Decided from the rows the sheets really hold, counted while reading them and
    never past the limit (``safety.count_rows``), not from what their
    ``<dimension>`` declares: a file that declares ``A1:B2`` and holds 600,000
    rows stops being read at row ``limit + 1`` and is handed to the worker.
    """
    limit = inline_row_limit()
    try:
        return count_rows(source, stop_after=limit) <= limit
    except (zipfile.BadZipFile, OSError):
        return False  # the worker's run records what is wrong with the file


def stored_runs_inline(job: ImportJob) -> bool:
    """``runs_inline`` for a job's stored file (a re-run), read through the storage API."""
    try:
        with local_copy(job.file, suffix=".xlsx") as source:
            return runs_inline(source)
    except FileNotFoundError:
        return False  # no file: the worker's run records that it is gone


@transaction.atomic
def job_create(
    *,
    acting_user: User | None,
    area: Area,
    kind: str,
    file_name: str,
    dry_run: bool = False,
    upload: File[Any] | None = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Accept a file for import into ``area``; ``acting_user`` None is the system (CLI).

    The caller has already run ``safety.check_workbook`` on the upload.
    ``options`` are the kind's declared extra options; an undeclared one is refused.
    """
    if kind not in KINDS:
        raise ValidationError({"kind": _("Unknown import kind.")})
    options = {k: v for k, v in (options or {}).items() if v is not None}
    unknown = sorted(set(options) - set(KINDS[kind].options))
    if unknown:
        raise ValidationError(
            {
                "options": _("This kind of import takes no option %(names)s.")
                % {"names": ", ".join(unknown)}
            }
        )
    _require_importer(acting_user, area)
    job = ImportJob(
        area=area,
        kind=kind,
        uploaded_by=acting_user,
        ip=current_ip.get(),
        file_name=Path(file_name).name[:255],
        dry_run=dry_run,
        options=options,
    )
    if upload is not None:
        job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.full_clean()
    job.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=job,
        after={"kind": kind, "file_name": job.file_name, "dry_run": dry_run, **options},
    )
    return job


def stale_seconds() -> int:
    """How long a running job may stay silent before it is taken for dead (its worker or web
    process was killed): ``ZHAOSHANG_IMPORT_STALE_SECONDS``, longer than any phase that
    cannot beat (the writing transaction of a 20 MB file takes seconds)."""
    return int(settings.ZHAOSHANG_IMPORT_STALE_SECONDS)


def _require_importer(acting_user: User | None, area: Area) -> None:
    if acting_user is not None:
        if not can(acting_user, Capability.IMPORT):
            raise ValidationError(_("Your roles do not allow importing data."))
        if not can_reach(acting_user, area):
            raise ValidationError({"area": _("You may not import into this area.")})


@transaction.atomic
def job_rerun(*, acting_user: User | None, job: ImportJob) -> ImportJob:
    """A new job from an interrupted job's stored file, for its uploader; audited.

    Only an interrupted job (``jobs_fail_stale``) runs again — one that failed
    on its file's content would fail the same way — and only once: its re-run
    is ``job.reruns``. The new job shares the stored file; the caller runs it
    (inline or queued, ``runs_inline``) as it would a fresh upload.
    """
    original = ImportJob.objects.select_for_update().select_related("area").get(pk=job.pk)
    _require_importer(acting_user, original.area)
    if acting_user is not None and original.uploaded_by_id != acting_user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file may run it again."))
    if not original.interrupted:
        raise ValidationError(_("Only an interrupted import can be run again."))
    if original.reruns.exists():
        raise ValidationError(_("This import has already been run again."))
    if not original.file or not original.file.storage.exists(original.file.name):
        raise ValidationError(_("The uploaded file is no longer on the server."))
    rerun = ImportJob(
        area=original.area,
        kind=original.kind,
        uploaded_by=acting_user,
        ip=current_ip.get(),
        file_name=original.file_name,
        file=original.file.name,
        dry_run=original.dry_run,
        options=original.options,
        rerun_of=original,
    )
    rerun.full_clean()
    rerun.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=rerun,
        after={
            "kind": rerun.kind,
            "file_name": rerun.file_name,
            "dry_run": rerun.dry_run,
            "rerun_of": original.pk,
            **rerun.options,
        },
    )
    return rerun


class JobProgress:
    """Writes progress and the heartbeat to the job row, throttled.

    One single-row UPDATE in autocommit, outside the import's transaction, at
    most every ``PROGRESS_INTERVAL`` while reading: on SQLite it holds the write
    lock for a moment only, and the heartbeat costs no write of its own.
    """

    def __init__(self, job: ImportJob) -> None:
        self.pk = job.pk
        self.last = 0.0

    def __call__(self, *, processed: int, total: int, phase: str = JobPhase.READING) -> None:
        now = time.monotonic()
        if phase == JobPhase.READING and now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        ImportJob.objects.filter(pk=self.pk, status=JobStatus.RUNNING).update(
            processed_rows=processed,
            total_rows=max(total, processed),
            phase=phase,
            heartbeat_at=timezone.now(),
        )


def job_run(*, job: ImportJob, path: str | Path | None = None) -> ImportOutcome:
    """Run a job to the end and record its outcome; returns the outcome with every error.

    The import runs in the uploader's language, with the uploader's IP on its
    audit rows, so a queued job reads the same as an inline one.
    """
    source = nullcontext(Path(path)) if path is not None else local_copy(job.file, suffix=".xlsx")
    job.status, job.phase = JobStatus.RUNNING, JobPhase.READING
    job.started_at = job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "phase", "started_at", "heartbeat_at"])
    user = job.uploaded_by
    token = current_ip.set(job.ip)
    try:
        with translation.override(user.language if user else settings.LANGUAGE_CODE):
            outcome = _run(job, source)
            _finish(job, outcome)
    finally:
        current_ip.reset(token)
    return outcome


def _run(job: ImportJob, opened: AbstractContextManager[Path]) -> ImportOutcome:
    """Run the importer on a file on this machine: the CLI's own, or a temporary copy of the
    stored upload read through the storage API (the worker may share no disk with the web
    process that stored it)."""
    outcome = ImportOutcome()
    try:
        with opened as source:
            check_workbook(source)
            estimate = estimate_rows(source) or 0
            importer = importer_for(job.kind)
            declared = KINDS[job.kind].options
            extra = {k: v for k, v in (job.options or {}).items() if k in declared}
            return importer(
                path=source,
                area=job.area,
                acting_user=job.uploaded_by,
                dry_run=job.dry_run,
                progress=JobProgress(job),
                file_name=job.file_name,
                estimate=estimate,
                **extra,
            )
    except ImportFileError as exc:
        outcome.errors.file_error(str(exc))
    except FileNotFoundError:
        outcome.errors.file_error(_("The uploaded file is no longer on the server."))
    except Exception:  # the job must end as failed, never stay “running”
        logger.exception("import job %s crashed", job.pk)
        outcome.errors.file_error(
            _(
                "The import stopped because of an internal error; nothing was imported. "
                "The administrators can find the details in the server log."
            )
        )
    return outcome


FINISH_FIELDS = [
    "status",
    "phase",
    "total_rows",
    "processed_rows",
    "created_count",
    "updated_count",
    "unchanged_count",
    "error_count",
    "errors",
    "notes",
    "finished_at",
    "error_report",
]


@transaction.atomic
def _finish(job: ImportJob, outcome: ImportOutcome) -> None:
    errors = outcome.errors.sorted()
    job.status = JobStatus.SUCCEEDED if outcome.ok else JobStatus.FAILED
    job.phase = JobPhase.DONE
    job.total_rows = outcome.total_rows
    job.processed_rows = outcome.total_rows
    job.created_count = outcome.created
    job.updated_count = outcome.updated
    job.unchanged_count = outcome.unchanged
    job.error_count = len(errors)
    job.errors = [error.as_dict() for error in errors[: ImportJob.ERRORS_KEPT]]
    job.notes = list(outcome.notes)
    job.finished_at = timezone.now()
    if errors:
        buffer = io.BytesIO()
        write_error_report(buffer, outcome.errors)
        job.error_report.save(f"job-{job.pk}-errors.xlsx", ContentFile(buffer.getvalue()), False)
    # only what finishing changes: a whole-row save would write back whatever this
    # in-memory copy held when the job was loaded (``started_at`` None, for one)
    job.save(update_fields=FINISH_FIELDS)
    audit_record(
        acting_user=job.uploaded_by,
        action=AuditAction.UPDATE,
        instance=job,
        after={
            "status": job.status,
            "dry_run": job.dry_run,
            "rows": job.total_rows,
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
            "errors": job.error_count,
        },
        result=AuditResult.SUCCESS if outcome.ok else AuditResult.FAILURE,
    )


def _last_sign_of_life(job: ImportJob) -> dt.datetime | None:
    """When a running job last showed it was alive; None for a job not running."""
    if job.status != JobStatus.RUNNING:
        return None
    return job.heartbeat_at or job.started_at or job.created_at


def _is_stale(job: ImportJob, cutoff: dt.datetime) -> bool:
    last = _last_sign_of_life(job)
    return last is not None and last < cutoff


def _stale_rows(cutoff: dt.datetime) -> Q:
    """``_last_sign_of_life`` older than ``cutoff``, as a query."""
    return Q(status=JobStatus.RUNNING) & (
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff)
    )


def jobs_fail_stale(*, jobs: Iterable[ImportJob] | None = None) -> list[ImportJob]:
    """Fail every running job whose heartbeat stopped over ``stale_seconds()`` ago.

    Its worker or web process died (kill -9, a restart, the OOM killer), so it
    would show “running 95 %” forever. Imports write all or nothing, in one
    transaction that died with the process, so the message says nothing was
    written. ``jobs`` given (rows a page has just read): only those are judged,
    from the values already loaded — no query unless one is stale; None (the
    periodic task): every job. Returns the jobs failed, updated in place.
    """
    cutoff = timezone.now() - dt.timedelta(seconds=stale_seconds())
    if jobs is None:
        candidates = list(
            ImportJob.objects.filter(_stale_rows(cutoff)).select_related("area", "uploaded_by")
        )
    else:
        candidates = [job for job in jobs if _is_stale(job, cutoff)]
    return [job for job in candidates if _fail_stale(job, cutoff)]


@transaction.atomic
def _fail_stale(job: ImportJob, cutoff: dt.datetime) -> bool:
    """Fail one stale job unless it beat (or finished) since it was read; audited."""
    user = job.uploaded_by
    with translation.override(user.language if user else settings.LANGUAGE_CODE):
        message = _("The import was interrupted; nothing was written.")
    error = RowError(0, "", message)
    now = timezone.now()
    failed = {
        "status": JobStatus.FAILED,
        "phase": JobPhase.INTERRUPTED,
        "finished_at": now,
        "created_count": 0,
        "updated_count": 0,
        "unchanged_count": 0,
        "error_count": 1,
        "errors": [error.as_dict()],
    }
    if not ImportJob.objects.filter(_stale_rows(cutoff), pk=job.pk).update(**failed):
        return False
    last = _last_sign_of_life(job)
    for field, value in failed.items():
        setattr(job, field, value)
    logger.warning("import job %s: no heartbeat since %s; failed as interrupted", job.pk, last)
    audit_record(
        acting_user=None,
        action=AuditAction.UPDATE,
        instance=job,
        before={"status": JobStatus.RUNNING, "heartbeat_at": last.isoformat() if last else None},
        after={"status": job.status, "phase": job.phase},
        result=AuditResult.FAILURE,
    )
    return True


def file_check(upload: File[Any]) -> None:
    """The pre-unzip checks of ``safety.check_workbook`` on an upload; ImportFileError if bad."""
    stream = upload.file
    if stream is None:
        raise ImportFileError(_("The file is empty."))
    check_workbook(stream, size=upload.size)
