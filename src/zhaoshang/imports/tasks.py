"""Background imports (huey): thin, they call the service."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from .choices import JobStatus
from .models import ImportJob
from .services import job_run


@db_task()
def run_import_job(job_id: int) -> None:
    """Run a queued job; a job already started (a retried task) is left alone."""
    job = ImportJob.objects.select_related("area", "uploaded_by").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return
    job_run(job=job)
