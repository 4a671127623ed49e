from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("area/<str:code>/", views.area_dashboard, name="area_dashboard"),
    path("city/<str:code>/", views.city_dashboard, name="city_dashboard"),
]
