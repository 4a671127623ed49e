"""The HTTP API (django-ninja): OpenAPI at /api/docs and /api/openapi.json.

Errors are always JSON ``{"code": ..., "message": ...}`` (plus ``errors`` for
bad input, ``current_version`` for a stale write); nothing answers 500 with HTML.
Every route needs a personal token (``Authorization: Bearer zs_…``) or a
browser session; see ``core.api_auth`` and docs/api.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from zhaoshang.construction.api import router as construction_router
from zhaoshang.core.api import router as core_router
from zhaoshang.core.api_auth import API_AUTH, ApiError
from zhaoshang.projects.api import router as projects_router
from zhaoshang.projects.services import ConflictError
from zhaoshang.targets.api import router as targets_router

logger = logging.getLogger("zhaoshang.api")


class ZhaoshangAPI(NinjaAPI):
    """NinjaAPI whose 405 (a known path, another method) is JSON like every other error."""

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(pattern.callback)
        return patterns, app_name, namespace


def _json_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)  # keeps ninja's csrf_exempt marker: CSRF is checked by the session auth
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == HTTPStatus.METHOD_NOT_ALLOWED and not response.get(
            "Content-Type", ""
        ).startswith("application/json"):
            allowed = response.get("Allow", "")
            response = JsonResponse(
                {
                    "code": "method_not_allowed",
                    "message": _("Method not allowed here; allowed: %(allowed)s")
                    % {"allowed": allowed},
                },
                status=HTTPStatus.METHOD_NOT_ALLOWED,
            )
            response["Allow"] = allowed
        return response

    return wrapper


api = ZhaoshangAPI(
    title="招商引资与重点项目管理平台 API",
    version="1",
    description=(
        "Authenticate with a personal token (`Authorization: Bearer zs_…`, issued by an "
        "admin with `zhaoshang token create`) or a signed-in browser session (CSRF applies). "
        "Errors are JSON `{code, message}`. See docs/api.md."
    ),
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "未找到或无权查看")


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "请先登录")


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error(request, exc.status_code, exc.code, exc.message, **exc.extra)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals: unparsable JSON (400), CSRF failure (403) ..."""
    codes = {400: "bad_request", 403: "forbidden", 405: "method_not_allowed"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Schema errors (wrong type, missing field) as ``{field: [messages]}``."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        parts = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
        errors.setdefault(".".join(parts) or "__all__", []).append(str(error.get("msg", "")))
    return _error(request, 422, "validation_error", "输入有误", errors=errors)


@api.exception_handler(DjangoValidationError)
def model_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused the input: its (translated) messages, by field; nothing was written."""
    errors = (
        {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": [str(m) for m in exc.messages]}
    )
    message = "；".join(m for messages in errors.values() for m in messages)
    return _error(request, 422, "validation_error", message, errors=errors)


@api.exception_handler(ConflictError)
def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return _error(request, 409, "conflict", str(exc), current_version=exc.current_version)


@api.exception_handler(IntegrityError)
def integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    """A uniqueness race that validation could not see coming (two creates at once)."""
    logger.warning("API integrity error on %s %s: %s", request.method, request.path, exc)
    return _error(
        request, 409, "conflict", _("This conflicts with a record saved at the same time.")
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or _("You may not do this."))


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Last resort: log the traceback, answer JSON. Tests make sure bad input never lands here."""
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return _error(request, 500, "server_error", _("Internal error; it has been logged."))


api.add_router("/v1", core_router)
api.add_router("/v1", projects_router)
api.add_router("/v1", construction_router)
api.add_router("/v1", targets_router)
