"""The HTTP API (django-ninja): OpenAPI at /api/docs and /api/openapi.json.

Errors are always JSON ``{"code": ..., "message": ...}``; nothing answers 500 with HTML.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from zhaoshang.core.api import router as core_router

api = NinjaAPI(
    title="招商引资与重点项目管理平台 API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"code": "not_found", "message": "未找到或无权查看"}, status=404
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "message": "请先登录"}, status=401
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "validation_error", "message": "输入有误", "errors": exc.errors},
        status=422,
    )


api.add_router("/v1", core_router)
