"""Small helpers every app's pages share: form errors from services, and the list
page's pager, page size and sortable column headers (one of each for every list)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
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


#: the page sizes a list offers (``?per=``); anything else falls back to the list's default
PAGE_SIZES = (30, 50, 100)


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for pager and sort links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def page_size(request: HttpRequest, default: int = PAGE_SIZES[0]) -> int:
    """``?per=`` when it is one of ``PAGE_SIZES``; a typo or a huge number gets the default."""
    raw = request.GET.get("per", "")
    return int(raw) if raw.isdigit() and int(raw) in PAGE_SIZES else default


def paginate(request: HttpRequest, rows: Any, default: int = PAGE_SIZES[0]) -> Page:
    """The requested page of ``rows`` at the requested size; a page past the end or not a
    number shows the last or the first page (``Paginator.get_page``), never an error."""
    return Paginator(rows, page_size(request, default)).get_page(request.GET.get("page"))


def list_context(
    request: HttpRequest, rows: Any, sorts: Iterable[str] = (), default: int = PAGE_SIZES[0]
) -> dict[str, Any]:
    """What every list template needs for its pager (``core/_pager.html``) and its
    sortable headers (``{% sort_th %}``): the page, the query without the page, the
    size, and a header per sort key."""
    page = paginate(request, rows, default)
    return {
        "page": page,
        "query": query_without_page(request),
        "per": page.paginator.per_page,
        "page_sizes": PAGE_SIZES,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "keep": [
            (name, value)
            for name, values in request.GET.lists()
            if name not in ("page", "per")
            for value in values
        ],
        "headers": sort_headers(request, sorts),
    }


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


@dataclass(frozen=True)
class SortHeader:
    """One sortable column header: where a click leads and which way the list is sorted
    by it now (``"asc"``, ``"desc"`` or ``""`` when another column sorts the list)."""

    url: str
    direction: str


def sort_headers(request: HttpRequest, keys: Iterable[str]) -> dict[str, SortHeader]:
    """Each key's header: its link (``sort_urls``) and whether the list is sorted by it.

    The selector decides which keys it knows; an unknown ``?sort=`` marks no header.
    """
    current = request.GET.get("sort", "")
    urls = sort_urls(request, keys)
    return {
        key: SortHeader(url, "asc" if current == key else "desc" if current == f"-{key}" else "")
        for key, url in urls.items()
    }


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
