"""Import pages: upload, template download, job progress and result, error report.

Every page answers 404 to a user who may not import (viewers, supervisors,
leaders, investors) and for a job of an area the user cannot see.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhaoshang.core.context import request_user
from zhaoshang.core.models import User
from zhaoshang.core.policy import Capability, can
from zhaoshang.core.services import export_record
from zhaoshang.core.web import list_context
from zhaoshang.core.xlsx import XLSX_TYPE

from . import selectors, services, tasks
from .choices import ImportKind
from .errors import RowError
from .exports import write_template
from .forms import UploadForm
from .kinds import KINDS, template_for
from .models import ImportJob

ERRORS_SHOWN = 200


def _importer(request: HttpRequest) -> User:
    user = request_user(request)
    if not can(user, Capability.IMPORT):
        raise Http404
    return user


def _kind_or_404(kind: str) -> str:
    if kind not in KINDS:
        raise Http404
    return kind


def _start(job: ImportJob, *, inline: bool) -> None:
    """Run a small file's job now, in the request; queue a large one for the worker."""
    if inline:
        services.job_run(job=job)
    else:
        tasks.job_queue(job=job)


#: the job list's sortable columns (keys of ``selectors.JOB_SORTS``)
JOB_COLUMNS = ("time", "file", "area", "status", "errors")


def _recent_jobs(user: User) -> list[ImportJob]:
    jobs = selectors.recent_jobs(user)
    services.jobs_fail_stale(jobs=jobs)
    return jobs


def _job_or_404(request: HttpRequest, pk: int) -> ImportJob:
    """The job, failed first if its process died (a dead job is found as soon as it is read)."""
    job = selectors.job_visible_or_404(request.user, pk)
    services.jobs_fail_stale(jobs=[job])
    return job


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    kinds = [(kind, ImportKind(kind).label) for kind in KINDS]
    context = list_context(
        request, selectors.job_list(user, request.GET.get("sort", "")), JOB_COLUMNS
    )
    jobs = list(context["page"])
    services.jobs_fail_stale(jobs=jobs)
    return render(request, "imports/index.html", {**context, "kinds": kinds, "jobs": jobs})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    """Check the file, create the job, run it now (small files) or queue it."""
    user = _importer(request)
    _kind_or_404(kind)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        areas=selectors.import_areas_for(user),
        options=KINDS[kind].options,
        initial={
            "area": user.area.code if user.area else None,
            "year": timezone.localdate().year,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        inline = services.runs_inline(data["file"].file)
        job = services.job_create(
            acting_user=user,
            area=data["area"],
            kind=kind,
            file_name=data["file"].name,
            dry_run=data["dry_run"],
            upload=data["file"],
            options=form.options(),
        )
        _start(job, inline=inline)
        return redirect("imports:job", pk=job.pk)
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": ImportKind(kind).label,
            "jobs": _recent_jobs(user),
            "inline_rows": services.inline_row_limit(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def template(request: HttpRequest, kind: str) -> HttpResponse:
    _importer(request)
    spec = template_for(_kind_or_404(kind))
    buffer = io.BytesIO()
    write_template(buffer, spec)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{spec.file_name}"'
    return response


def _facts(job: ImportJob) -> dict[str, Any]:
    return {
        "status": job.status,
        "status_display": str(job.get_status_display()),
        "phase": job.phase,
        "phase_display": str(job.get_phase_display()),
        "processed": job.processed_rows,
        "total": job.total_rows,
        "percent": job.percent,
        "finished": job.finished,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "errors": job.error_count,
    }


@login_required
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    errors = [RowError.from_dict(e) for e in job.errors[:ERRORS_SHOWN]]
    several_sheets = len({e.sheet for e in errors if e.sheet}) > 1
    rerun = job.reruns.order_by("-pk").first() if job.interrupted else None
    return render(
        request,
        "imports/job.html",
        {
            "job": job,
            "facts": _facts(job),
            "errors": [e.line(with_sheet=several_sheets) for e in errors],
            "more_errors": max(job.error_count - len(errors), 0),
            "rerun": rerun,
            "can_rerun": job.interrupted
            and rerun is None
            and bool(job.file)
            and job.uploaded_by_id == request.user.pk
            and can(request.user, Capability.IMPORT),
        },
    )


@login_required
@require_POST
def job_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    """Run an interrupted job again from its stored file, as a new job; its uploader only."""
    user = _importer(request)
    job = _job_or_404(request, pk)
    try:
        rerun = services.job_rerun(acting_user=user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("imports:job", pk=job.pk)
    _start(rerun, inline=services.stored_runs_inline(rerun))
    return redirect("imports:job", pk=rerun.pk)


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the progress bar polls: a few numbers, one query."""
    return JsonResponse(_facts(_job_or_404(request, pk)))


@login_required
@require_GET
def job_errors(request: HttpRequest, pk: int) -> FileResponse:
    """Every error of a job as .xlsx; downloading it is audited like any export."""
    job = _job_or_404(request, pk)
    if not job.error_report:
        raise Http404
    export_record(
        acting_user=request_user(request),
        object_type="imports.importjob",
        description=_("Import error report: %(file)s") % {"file": job.file_name},
        filters={"job": job.pk},
        rows=job.error_count,
    )
    return FileResponse(
        job.error_report.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-errors.xlsx",
        content_type=XLSX_TYPE,
    )
