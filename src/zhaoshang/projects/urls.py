from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("my/projects/", views.investor_home, name="investor_home"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/export.xlsx", views.project_export, name="project_export"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/transition/", views.project_transition, name="project_transition"),
    path("projects/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("projects/<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("projects/attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("projects/data-quality/", views.data_quality, name="data_quality"),
    path(
        "projects/data-quality/export.xlsx",
        views.data_quality_export,
        name="data_quality_export",
    ),
    path("projects/reports/chains/", views.chain_report, name="chain_report"),
    path(
        "projects/reports/chains/export.xlsx",
        views.chain_report_export,
        name="chain_report_export",
    ),
    path("projects/reports/leaders/", views.leader_report, name="leader_report"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_form, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_form, name="enterprise_edit"),
]
