"""Login-free pages for households (mounted at /apply/)."""

from django.urls import path

from fangpin.cases import public_views

app_name = "public"
urlpatterns: list = [
    path("", public_views.apply, name="apply"),
    path("villages/", public_views.village_options, name="villages"),
    path("status/", public_views.status, name="status"),
]
