"""One import job: a file someone asked to load into an area, and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import Area

from .choices import ImportKind, JobPhase, JobStatus


class ImportJob(models.Model):
    """导入任务: the upload, its progress for the progress bar, and its outcome.

    ``processed_rows`` / ``total_rows`` are written outside the import's own
    transaction while rows are read and checked, so a polling page can show
    them; the writing itself is one transaction (all or nothing), shown as the
    ``writing`` phase. ``errors`` keeps the first ``ERRORS_KEPT`` problems for
    the page; the downloadable report holds every one of them.

    ``heartbeat_at`` is the running job's last sign of life, written with its
    progress; a job whose heartbeat stopped (its worker or web process died) is
    failed by ``services.jobs_fail_stale`` in the ``interrupted`` phase and may
    be run again from the same file: the new job's ``rerun_of`` is this one.
    """

    ERRORS_KEPT = 1000

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ImportKind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    #: the kind's extra options (``kinds.KindSpec.options``), e.g. {"year": 2026}
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    phase = models.CharField(
        _("phase"), max_length=16, choices=JobPhase.choices, default=JobPhase.READING
    )
    total_rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    error_report = models.FileField(_("error report"), upload_to="imports/reports/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    rerun_of = models.ForeignKey(
        "self",
        verbose_name=_("run again from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reruns",
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area", "-created_at"], name="imports_job_area_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def interrupted(self) -> bool:
        """Failed because its process died mid-way (nothing was written): it may run again."""
        return self.status == JobStatus.FAILED and self.phase == JobPhase.INTERRUPTED

    @property
    def percent(self) -> int:
        """Progress for the bar: reading is the first 90 %, writing the rest."""
        if self.finished:
            return 100
        if self.phase == JobPhase.WRITING:
            return 95
        if not self.total_rows:
            return 0
        return min(90, self.processed_rows * 90 // self.total_rows)
