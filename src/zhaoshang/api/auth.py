"""How the HTTP API knows who is calling: a personal token, else the browser session.

``Authorization: Bearer zs_…`` is tried first, so a script never needs a CSRF
token; without that header ninja's ``django_auth`` takes the session (and, for
POST/PUT/PATCH/DELETE, enforces CSRF as the browser forms do). A token that is
present but unknown, expired or revoked is refused outright (401) rather than
falling back to a session cookie that might also be on the request.
"""

from __future__ import annotations

from django.db.models import OuterRef
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from zhaoshang.core import services
from zhaoshang.core.models import ApiToken, TokenScope, User
from zhaoshang.core.selectors import role_list

from .errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiTokenAuth(HttpBearer):
    """Personal API tokens (``core.ApiToken``); only their SHA-256 is looked up."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token.startswith(services.TOKEN_PREFIX):
            raise AuthenticationError
        record = (
            ApiToken.objects.select_related("user", "user__area")
            .annotate(roles_read=role_list(OuterRef("user_id")))
            .filter(key_hash=services.token_hash(token))
            .first()
        )
        if record is None or record.revoked or record.expired or not record.user.is_active:
            raise AuthenticationError
        record.user.remember_roles(record.roles_read)  # type: ignore[attr-defined]
        if record.scope != TokenScope.WRITE and request.method not in SAFE_METHODS:
            raise ApiError(
                403, "forbidden_scope", _("This token is read-only; writing needs a write token.")
            )
        services.token_mark_used(token=record)
        user = record.user
        # The session middleware saw an anonymous request; from here on it is this user.
        request.user = user
        request.api_token = record  # type: ignore[attr-defined]
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        return user


api_token_auth = ApiTokenAuth()
#: The API's authentication, in order: a bearer token, else the (CSRF-checked) session.
API_AUTH = [api_token_auth, django_auth]
