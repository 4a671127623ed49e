from django.urls import URLPattern, URLResolver, path

from .views import reserve, workplan

urlpatterns: list[URLPattern | URLResolver] = [
    path("milestones/", workplan.milestone_list, name="milestone_list"),
    path("milestones/export.xlsx", workplan.milestone_export, name="milestone_export"),
    path("milestones/<int:pk>/edit/", workplan.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/complete/", workplan.milestone_complete, name="milestone_complete"),
    path("projects/<int:pk>/workplan/", workplan.project_workplan, name="project_workplan"),
    path("reserve/", reserve.reserve_board, name="reserve_board"),
    path("reserve/new/", reserve.reserve_create, name="reserve_create"),
    path("reserve/<int:pk>/", reserve.reserve_detail, name="reserve_detail"),
    path("reserve/<int:pk>/edit/", reserve.reserve_edit, name="reserve_edit"),
    path("reserve/<int:pk>/transition/", reserve.reserve_transition, name="reserve_transition"),
    path("reserve/<int:pk>/promote/", reserve.reserve_promote, name="reserve_promote"),
]
