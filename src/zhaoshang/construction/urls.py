from django.urls import URLPattern, URLResolver

from .urls_investment import urlpatterns as investment_urls
from .urls_workplan import urlpatterns as workplan_urls

app_name = "construction"

urlpatterns: list[URLPattern | URLResolver] = [*investment_urls, *workplan_urls]
