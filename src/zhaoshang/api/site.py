"""The HTTP API (django-ninja): OpenAPI at /api/docs and /api/openapi.json.

The one module of ``zhaoshang.api`` that knows the apps: it mounts every app's
router under ``/v1``. Errors are JSON (``errors``); every route needs a personal
token (``Authorization: Bearer zs_…``) or a browser session (``auth``); see docs/api.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI

from zhaoshang.construction.api import router as construction_router
from zhaoshang.core.api import router as core_router
from zhaoshang.projects.api import router as projects_router
from zhaoshang.targets.api import router as targets_router

from .auth import API_AUTH
from .errors import install_handlers


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
    # lazy, so /api/docs and the schema's title follow the reader's language
    title=format_lazy(  # type: ignore[arg-type]
        "{} API", gettext_lazy("Investment Promotion and Key Project Platform")
    ),
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


install_handlers(api)

api.add_router("/v1", core_router)
api.add_router("/v1", projects_router)
api.add_router("/v1", construction_router)
api.add_router("/v1", targets_router)
