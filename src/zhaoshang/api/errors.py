"""API errors: always JSON ``{"code": ..., "message": ...}``, never an HTML 500.

``errors`` is added for bad input (each message in the caller's language, chosen
by the kind of schema error: pydantic's English never reaches a client),
``current_version`` for a stale write. The handlers are installed on the NinjaAPI
by ``site``; a route raises the domain's own exceptions (``ValidationError``,
``PermissionDenied``, ``ConflictError``, ``Http404``) and this module turns them
into answers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from zhaoshang.core.middleware import busy_response, is_busy
from zhaoshang.core.versions import ConflictError

logger = logging.getLogger("zhaoshang.api")

_NUMBER = gettext_noop("Enter a whole number.")
_DATE = gettext_noop("Enter a valid date.")
_DATETIME = gettext_noop("Enter a valid date/time.")
_DECIMAL = gettext_noop('Write the number as a string, e.g. "1234.5".')
_OBJECT = gettext_noop("Send an object with named fields.")
_BOOLEAN = gettext_noop("Enter true or false.")
_FLOAT = gettext_noop("Enter a number.")

#: Our own message for each pydantic error type a request can meet, so a 422 never
#: carries pydantic's English. Placeholders name keys of the error's ``ctx``; the
#: msgids Django already has ("This field is required." …) are Django's.
PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": gettext_noop("This field is required."),
    "extra_forbidden": gettext_noop("Unknown field; check its name."),
    "string_type": gettext_noop("Enter text."),
    "int_type": _NUMBER,
    "int_parsing": _NUMBER,
    "int_from_float": gettext_noop("Enter a whole number, without a fractional part."),
    "int_parsing_size": gettext_noop("The number is too large."),
    "float_type": _FLOAT,
    "float_parsing": _FLOAT,
    "finite_number": _FLOAT,
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": gettext_noop("Enter a date without a time of day."),
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "decimal_type": _DECIMAL,
    "decimal_parsing": _DECIMAL,
    "decimal_max_digits": gettext_noop("Use at most %(max_digits)s digits in all."),
    "decimal_max_places": gettext_noop("Use at most %(decimal_places)s digits after the point."),
    "decimal_whole_digits": gettext_noop("Use at most %(whole_digits)s digits before the point."),
    "enum": gettext_noop("Choose one of: %(choices)s."),
    "literal_error": gettext_noop("Choose one of: %(choices)s."),
    "string_too_short": gettext_noop("Too short: the minimum length is %(min_length)s."),
    "string_too_long": gettext_noop("Too long: the maximum length is %(max_length)s."),
    "too_short": gettext_noop("Too few items: the minimum is %(min_length)s."),
    "too_long": gettext_noop("Too many items: the maximum is %(max_length)s."),
    "greater_than": gettext_noop("Must be greater than %(gt)s."),
    "greater_than_equal": gettext_noop("Must not be less than %(ge)s."),
    "less_than": gettext_noop("Must be less than %(lt)s."),
    "less_than_equal": gettext_noop("Must not be greater than %(le)s."),
    "multiple_of": gettext_noop("Must be a multiple of %(multiple_of)s."),
    "string_pattern_mismatch": gettext_noop("Enter a valid value."),
    "list_type": gettext_noop("Enter a list of values."),
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "json_invalid": gettext_noop("Enter a valid JSON."),
    "json_type": gettext_noop("Send the value as JSON text."),
}
#: A type missing from the table: still no English from pydantic.
UNKNOWN_PYDANTIC_MESSAGE = gettext_noop("Invalid value.")
_QUOTED = re.compile(r"'([^']*)'")


def pydantic_message(error: Mapping[str, Any]) -> str:
    """One schema error in the caller's language, from its ``type`` and ``ctx``
    (pydantic's ``msg`` is English, and prefixes our own messages with "Value error, ")."""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind in {"value_error", "assertion_error"} and "error" in ctx:
        return str(ctx["error"])  # raised by our validators, already translated
    template = PYDANTIC_MESSAGES.get(kind)
    if template is None:
        return _(UNKNOWN_PYDANTIC_MESSAGE)
    params = {key: str(value) for key, value in ctx.items()}
    if "expected" in ctx:
        params["choices"] = _choices(str(ctx["expected"]))
    try:
        return _(template) % params
    except (KeyError, ValueError, TypeError):  # a ctx without the key our msgid names
        return _(UNKNOWN_PYDANTIC_MESSAGE)


def _choices(expected: str) -> str:
    """Pydantic's English ``"'a', 'b' or 'c'"`` as a list in the caller's language (a、b、c);
    an empty code is written ``""``, as the client would send it, not as a stray separator."""
    values = _QUOTED.findall(expected) or re.split(r", | or ", expected)
    return pgettext("between list items", ", ").join(v or '""' for v in values)


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
        """Schema errors (wrong type, missing field) as ``{field: [messages]}``, each in
        the caller's language (``pydantic_message``)."""
        errors: dict[str, list[str]] = {}
        for item in exc.errors:
            loc = [str(part) for part in item.get("loc", ())]
            parts = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
            errors.setdefault(".".join(parts) or "__all__", []).append(pydantic_message(item))
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
