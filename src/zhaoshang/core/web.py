"""Small helpers every app's pages share (form errors from services, pager links)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest


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
