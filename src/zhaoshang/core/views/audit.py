"""The audit log page and its Excel export."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors
from ..audit_display import describe, object_type_choices
from ..context import request_user
from ..exports import export_audit
from ..forms import (
    AuditFilterForm,
)
from ..policy import Capability, can
from ..web import list_context, xlsx_response

AUDIT_PAGE_SIZE = 50


#: the audit log's sortable columns (keys of ``selectors.AUDIT_SORTS``)
AUDIT_COLUMNS = ("time", "person", "action", "type")


def _audit_filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    types = object_type_choices(selectors.audit_object_types(request.user))
    form = AuditFilterForm(request.GET or None, object_types=types)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, filters


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.READ_AUDIT):
        return render(request, "core/forbidden.html", status=404)
    form, filters = _audit_filters(request)
    sort = {"sort": request.GET.get("sort", "")}
    events = selectors.audit_events_visible_to(request.user, filters={**filters, **sort})
    context = list_context(request, events, AUDIT_COLUMNS, AUDIT_PAGE_SIZE)
    rows = describe(list(context["page"]), request.user)
    return render(request, "core/audit_list.html", {**context, "form": form, "rows": rows})


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered audit log as xlsx; the export itself is audited."""
    if not can(request.user, Capability.READ_AUDIT):
        return render(request, "core/forbidden.html", status=404)
    _form, filters = _audit_filters(request)
    buffer = io.BytesIO()
    export_audit(user=request_user(request), filters=filters, target=buffer)
    return xlsx_response(buffer, "audit")
