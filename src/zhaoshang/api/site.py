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

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError
from ninja.openapi.schema import OpenAPISchema
from ninja.openapi.views import openapi_json

from zhaoshang.approvals.api import router as approvals_router
from zhaoshang.construction.api import router as construction_router
from zhaoshang.core.api import router as core_router
from zhaoshang.core.navigation import official
from zhaoshang.projects.api import router as projects_router
from zhaoshang.targets.api import router as targets_router

from .auth import API_AUTH, api_token_auth
from .errors import install_handlers
from .openapi import document_errors, refuse_nul_in_requests


class ZhaoshangAPI(NinjaAPI):
    """NinjaAPI whose 405 (a known path, another method) is JSON like every other error."""

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(pattern.callback)
        return patterns, app_name, namespace

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The schema in the reader's language: summaries are msgids (``gettext_noop``),
        translated here, per request, as the schema is built anew for each; with every
        error answer and the NUL-free text rule added (``zhaoshang.api.openapi``)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["info"]["description"] = _(schema["info"]["description"])
        for operations in schema["paths"].values():
            for operation in operations.values():
                for key in ("summary", "description"):
                    if operation.get(key):
                        operation[key] = _(str(operation[key]))
        document_errors(schema)
        refuse_nul_in_requests(schema)
        return schema


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


def _docs_reader(request: HttpRequest) -> Any:
    """Who reads the schema: a personal token first (scripts), else the browser session."""
    if request.headers.get("Authorization"):
        try:
            return api_token_auth(request)
        except AuthenticationError:
            return None
    user = request.user
    return user if user.is_authenticated else None


def _staff_docs(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """/api/docs and /api/openapi.json are for officials: the routes and fields say
    how the platform works. Anonymous: the page sends to log-in, the schema answers
    401 JSON; an investor (or a role-less account) gets 404 like any hidden page."""
    is_schema = getattr(view, "func", None) is openapi_json

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        reader = _docs_reader(request) if is_schema else request.user
        if reader is None or not reader.is_authenticated:
            if is_schema:
                return JsonResponse(
                    {"code": "unauthenticated", "message": _("Please sign in first.")},
                    status=HTTPStatus.UNAUTHORIZED,
                )
            return redirect_to_login(request.get_full_path())
        if not official(reader):
            if is_schema:
                return JsonResponse(
                    {"code": "not_found", "message": _("Not found, or not yours to see.")},
                    status=HTTPStatus.NOT_FOUND,
                )
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class ZhaoshangSwagger(Swagger):
    """Swagger UI from the vendored static files, with a header leading back to the site."""

    template = "core/api_docs.html"


API_DESCRIPTION = gettext_noop(
    "Authenticate with a personal token (`Authorization: Bearer zs_…`, issued by an "
    "admin with `zhaoshang token create`) or a signed-in browser session (CSRF applies). "
    "Errors are JSON `{code, message}`. See docs/api.md."
)

api = ZhaoshangAPI(
    # lazy, so /api/docs and the schema's title follow the reader's language
    title=format_lazy(  # type: ignore[arg-type]
        "{} API", gettext_lazy("Investment Promotion and Key Project Platform")
    ),
    version="1",
    description=API_DESCRIPTION,
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs=ZhaoshangSwagger(),
    docs_decorator=_staff_docs,
)


install_handlers(api)

api.add_router("/v1", core_router)
api.add_router("/v1", projects_router)
api.add_router("/v1", construction_router)
api.add_router("/v1", targets_router)
api.add_router("/v1", approvals_router)
