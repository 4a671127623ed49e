"""Admin for clusters and investor accounts (scoped, audited); projects and enterprises
have their own pages, where stage gating and version checks apply."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhaoshang.core.admin import ScopedAdmin

from .models import Cluster, InvestorAccount
from .selectors import enterprises_visible_to


@admin.register(Cluster)
class ClusterAdmin(ScopedAdmin):
    list_display = ["name", "area", "sub_bureau"]
    list_filter = ["area"]
    search_fields = ["name"]
    list_select_related = ["area", "sub_bureau"]


@admin.register(InvestorAccount)
class InvestorAccountAdmin(ScopedAdmin):
    area_field = "enterprise__area"
    list_display = ["user", "enterprise"]
    list_select_related = ["user", "enterprise"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "enterprise":
            kwargs["queryset"] = enterprises_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
