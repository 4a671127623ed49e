"""Pages of project construction: key lists and monthly investment, work plans, the reserve."""

from django.urls import URLPattern, URLResolver, path

from .views import capital, investment, reserve, workplan

app_name = "construction"

urlpatterns: list[URLPattern | URLResolver] = [
    # key lists and monthly investment
    path("key-projects/", investment.keylist, name="keylist"),
    path("key-projects/export.xlsx", investment.keylist_export, name="keylist_export"),
    path("key-projects/new/", investment.keylist_add, name="keylist_add"),
    path("key-projects/<int:pk>/edit/", investment.keylist_edit, name="keylist_edit"),
    path(
        "projects/<int:pk>/investment/<int:year>/",
        investment.investment_project,
        name="investment_project",
    ),
    # paid-in capital (到位资金)
    path("paid-in-capital/", capital.capital_list, name="capital_list"),
    path("paid-in-capital/export.xlsx", capital.capital_export, name="capital_export"),
    path(
        "projects/<int:pk>/paid-in-capital/<int:year>/",
        capital.capital_project,
        name="capital_project",
    ),
    # work plans (milestones)
    path("milestones/", workplan.milestone_list, name="milestone_list"),
    path("milestones/export.xlsx", workplan.milestone_export, name="milestone_export"),
    path("milestones/<int:pk>/edit/", workplan.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/complete/", workplan.milestone_complete, name="milestone_complete"),
    path("milestones/<int:pk>/done/", workplan.milestone_done_today, name="milestone_done_today"),
    path("projects/<int:pk>/workplan/", workplan.project_workplan, name="project_workplan"),
    # the reserve pipeline
    path("reserve/", reserve.reserve_board, name="reserve_board"),
    path("reserve/new/", reserve.reserve_create, name="reserve_create"),
    path("reserve/<int:pk>/", reserve.reserve_detail, name="reserve_detail"),
    path("reserve/<int:pk>/edit/", reserve.reserve_edit, name="reserve_edit"),
    path("reserve/<int:pk>/transition/", reserve.reserve_transition, name="reserve_transition"),
    path("reserve/<int:pk>/promote/", reserve.reserve_promote, name="reserve_promote"),
]
