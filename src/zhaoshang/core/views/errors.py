"""Chinese 400/403/404/500 pages in the site's layout, and the CSRF failure page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _error_page(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """One error answer for every status: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message}, status=status)
    context = {"status": status, "title": ERROR_TITLES[status](), "message": message}
    return render(request, "core/http_error.html", context, status=status)


ERROR_TITLES = {
    400: lambda: _("Bad request"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
}


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request, 400, "bad_request", _("The request could not be understood. Check the address.")
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, "forbidden", _("You are not allowed to do this."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a stale page or another site: say how to recover, in Chinese."""
    return _error_page(
        request,
        403,
        "csrf_failed",
        _("The form has expired or was not sent from this site. Reload the page and try again."),
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, "not_found", _("Not found, or not yours to see."))


def server_error(request: HttpRequest) -> HttpResponse:
    """A page that needs no database: the error may be the database itself."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "message": _("Internal error.")}, status=500)
    return render(request, "core/error.html", status=500)
