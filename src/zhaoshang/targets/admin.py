"""Admin for indicators: read-mostly reference data (codes and sources are fixed by code).

Targets and actuals have their own pages, where the level-above rule and the
no-future-month rule apply, so they are not editable here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import services
from zhaoshang.core.context import request_user
from zhaoshang.core.policy import Capability, can

from .models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """Names, display decimals, order and the active flag may change; code and source not."""

    list_display = ["code_shown", "name", "unit", "decimals", "source", "sort", "active"]
    list_display_links = ["code_shown", "name"]
    readonly_fields = ["code", "source"]

    @admin.display(description=_("code"), ordering="code")
    def code_shown(self, indicator: Indicator) -> str:
        """The code as code (monospace): an identifier for imports, not a word to read."""
        return format_html("<code>{}</code>", indicator.code)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Indicator, form: Any, change: bool) -> None:
        services.instance_save(acting_user=request_user(request), instance=obj)
