from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("areas/<str:code>/", views.area_detail, name="area_detail"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/otp/setup/", views.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", views.otp_verify, name="otp_verify"),
    path("accounts/language/", views.language, name="language"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
