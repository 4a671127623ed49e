"""The password backend: Django's ``ModelBackend``, reading the signed-in user with
their area and unit in the one query every page starts with.

Every page shows the user's unit in the top bar and scopes its reads by the
user's area; with the plain backend those were two more queries on every request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import User


class AccountBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` also reads ``area`` and ``unit`` (one join each)."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("area", "unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
