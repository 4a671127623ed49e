"""Small helpers every app's pages share (form errors from services, pager links)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from .policy import Capability, can
from .xlsx import XLSX_TYPE


def apply_errors(form: Any, exc: Exception) -> None:
    """Put a service's refusal on the form: a ValidationError by field where it names
    one; anything else (a stale version's conflict) as a form-wide error."""
    if not isinstance(exc, ValidationError):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for pager and sort links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def require_page(user: Any, capability: Capability) -> None:
    """A page the role cannot use answers 404, as a hidden row does: it learns nothing more.

    The service behind the page enforces the same capability; this only keeps a
    reader from being shown a form they could never submit.
    """
    if not can(user, capability):
        raise Http404


def xlsx_response(buffer: io.BytesIO, name: str, *, stamped: bool = True) -> HttpResponse:
    """An exported workbook as a download, named ``name-YYYYmmdd-HHMM.xlsx`` (local time)."""
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    stamp = f"-{timezone.localtime():%Y%m%d-%H%M}" if stamped else ""
    response["Content-Disposition"] = f'attachment; filename="{name}{stamp}.xlsx"'
    return response


def sort_urls(request: HttpRequest, keys: Iterable[str]) -> dict[str, str]:
    """Column-header links of a sortable list: each sorts by its key, or reverses it.

    The other filters stay; the page goes back to the first.
    """
    current = request.GET.get("sort", "")
    urls = {}
    for key in keys:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = f"-{key}" if current == key else key
        urls[key] = f"?{query.urlencode()}"
    return urls
