from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "targets"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.target_table, name="table"),
    path("export.xlsx", views.target_export, name="export"),
    path("set/", views.target_set, name="set"),
    path("mode/", views.mode_set, name="mode"),
    path("actuals/", views.actual_grid, name="actuals"),
]
