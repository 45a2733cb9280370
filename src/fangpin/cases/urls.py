"""Case, policy and public-application URLs; each area in its own module (separate owners)."""

from django.urls import include, path

app_name = "cases"
urlpatterns = [
    path("policy/", include("fangpin.cases.urls_policy")),
    path("national/", include("fangpin.cases.urls_national")),
    path("notices/", include("fangpin.cases.urls_notices")),
    path("visits/", include("fangpin.cases.urls_visits")),
    path("", include("fangpin.cases.urls_work")),
]
