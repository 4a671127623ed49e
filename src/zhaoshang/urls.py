from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from zhaoshang.api.site import api
from zhaoshang.core import views as core_views

handler400 = "zhaoshang.core.views.bad_request"
handler403 = "zhaoshang.core.views.permission_denied"
handler404 = "zhaoshang.core.views.not_found"
handler500 = "zhaoshang.core.views.server_error"

urlpatterns = [
    # The admin signs in through the same audited, lockout-protected page as everyone.
    path("admin/login/", RedirectView.as_view(pattern_name="core:login", query_string=True)),
    path("admin/logout/", core_views.logout_view),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("imports/", include("zhaoshang.imports.urls")),
    path("construction/", include("zhaoshang.construction.urls")),
    path("targets/", include("zhaoshang.targets.urls")),
    path("approvals/", include("zhaoshang.approvals.urls")),
    path("reports/", include("zhaoshang.reports.urls")),
    path("", include("zhaoshang.projects.urls")),
    path("", include("zhaoshang.core.urls")),
]
