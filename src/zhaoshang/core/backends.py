"""The password backend: Django's ``ModelBackend``, reading the signed-in user with
their area, unit and role codes in the one query every page starts with.

Every page shows the user's unit in the top bar, scopes its reads by the user's
area and asks the policy about their roles; with the plain backend those were
three more queries on every request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef

from .models import User
from .selectors import role_list


class AccountBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` also reads ``area`` and ``unit`` (one join each)
    and the role codes (a subquery)."""

    def get_user(self, user_id: Any) -> User | None:
        users = User.objects.select_related("area", "unit").annotate(
            roles_read=role_list(OuterRef("pk"))
        )
        try:
            user = users.get(pk=user_id)
        except User.DoesNotExist:
            return None
        user.remember_roles(user.roles_read)  # type: ignore[attr-defined]
        return user if self.user_can_authenticate(user) else None
