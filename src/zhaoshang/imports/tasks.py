"""Background imports (huey): thin, they call the service.

The page queues a job with ``job_queue`` once its row is committed; the worker
runs ``run_import_job``, which calls ``services.job_run``. Every few minutes
``fail_stale_import_jobs`` fails the jobs whose process died (the pages do the
same for the jobs they show). Services never import this module, so the
dependency runs one way.
"""

from __future__ import annotations

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .choices import JobStatus
from .models import ImportJob
from .services import job_run, jobs_fail_stale


@db_task()
def run_import_job(job_id: int) -> None:
    """Run a queued job; a job already started (a retried task) is left alone."""
    job = ImportJob.objects.select_related("area", "uploaded_by").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return
    job_run(job=job)


@db_periodic_task(crontab(minute="*/2"))
def fail_stale_import_jobs() -> None:
    """Fail the running jobs whose heartbeat stopped, even if nobody opens their page."""
    jobs_fail_stale()


def job_queue(*, job: ImportJob) -> None:
    """Hand a job to a huey worker once the job row is committed."""
    transaction.on_commit(lambda: run_import_job(job.pk))
