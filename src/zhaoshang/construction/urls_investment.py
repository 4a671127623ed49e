from django.urls import URLPattern, URLResolver, path

from .views import investment as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("key-projects/", views.keylist, name="keylist"),
    path("key-projects/export.xlsx", views.keylist_export, name="keylist_export"),
    path("key-projects/new/", views.keylist_add, name="keylist_add"),
    path("key-projects/<int:pk>/edit/", views.keylist_edit, name="keylist_edit"),
    path(
        "projects/<int:pk>/investment/<int:year>/",
        views.investment_project,
        name="investment_project",
    ),
]
