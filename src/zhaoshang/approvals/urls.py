"""Pages of agency approvals."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "approvals"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.board, name="board"),
    path("export.xlsx", views.board_export, name="board_export"),
    path("projects/<int:pk>/", views.project_tracker, name="project"),
    path("projects/<int:pk>/plan/", views.project_plan, name="project_plan"),
    path("projects/<int:pk>/land/", views.project_land, name="project_land"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
    path("items/<int:pk>/pause/", views.item_pause, name="item_pause"),
    path("items/<int:pk>/resume/", views.item_resume, name="item_resume"),
    path("items/<int:pk>/promise/", views.item_promise, name="item_promise"),
    path("items/<int:pk>/agent/", views.item_agent, name="item_agent"),
    path("items/<int:pk>/convert/", views.item_convert, name="item_convert"),
    path("items/<int:pk>/issue/", views.item_issue, name="item_issue"),
    path("promises/<int:pk>/fulfil/", views.promise_fulfil, name="promise_fulfil"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/edit/", views.type_edit, name="type_edit"),
    path("settings/", views.settings_save, name="settings"),
]
