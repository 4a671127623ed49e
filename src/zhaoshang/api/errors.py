"""API errors: always JSON ``{"code": ..., "message": ...}``, never an HTML 500.

``errors`` is added for bad input, ``current_version`` for a stale write. The
handlers are installed on the NinjaAPI by ``site``; a route raises the domain's
own exceptions (``ValidationError``, ``PermissionDenied``, ``ConflictError``,
``Http404``) and this module turns them into answers.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from zhaoshang.core.middleware import busy_response, is_busy
from zhaoshang.core.versions import ConflictError

logger = logging.getLogger("zhaoshang.api")


class ApiError(HttpError):
    """An API refusal with a machine-readable ``code``, rendered as JSON by the handlers here."""

    def __init__(self, status_code: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.message = message
        self.extra = extra


def install_handlers(api: NinjaAPI) -> None:
    """Register one handler per exception the routes may raise."""

    def error(
        request: HttpRequest, status: int, code: str, message: str, **extra: Any
    ) -> HttpResponse:
        body = {"code": code, "message": message, **extra}
        return api.create_response(request, body, status=status)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error(request, 404, "not_found", _("Not found, or not yours to see."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error(request, 401, "unauthenticated", _("Please sign in first."))

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error(request, exc.status_code, exc.code, exc.message, **exc.extra)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        """ninja's own refusals: unparsable JSON (400), CSRF failure (403) ..."""
        codes = {400: "bad_request", 403: "forbidden", 405: "method_not_allowed"}
        return error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        """Schema errors (wrong type, missing field) as ``{field: [messages]}``."""
        errors: dict[str, list[str]] = {}
        for item in exc.errors:
            loc = [str(part) for part in item.get("loc", ())]
            parts = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
            errors.setdefault(".".join(parts) or "__all__", []).append(str(item.get("msg", "")))
        return error(request, 422, "validation_error", _("Invalid input."), errors=errors)

    @api.exception_handler(DjangoValidationError)
    def model_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        """A service refused the input: its (translated) messages, by field; nothing was written."""
        errors = (
            {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": [str(m) for m in exc.messages]}
        )
        separator = pgettext("between messages", "; ")
        message = separator.join(m for messages in errors.values() for m in messages)
        return error(request, 422, "validation_error", message, errors=errors)

    @api.exception_handler(ConflictError)
    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        return error(request, 409, "conflict", str(exc), current_version=exc.current_version)

    @api.exception_handler(IntegrityError)
    def integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        """A uniqueness race that validation could not see coming (two creates at once)."""
        logger.warning("API integrity error on %s %s: %s", request.method, request.path, exc)
        message = _("This conflicts with a record saved at the same time.")
        return error(request, 409, "conflict", message)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error(request, 403, "forbidden", str(exc) or _("You may not do this."))

    @api.exception_handler(OperationalError)
    def busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        """The database could not take the write in time (another large write): 503, retry."""
        if not is_busy(exc):
            return server_error(request, exc)
        return busy_response(request)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        """Last resort: log the traceback, answer JSON; tests keep bad input from landing here."""
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return error(request, 500, "server_error", _("Internal error; it has been logged."))
