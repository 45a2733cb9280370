"""National export (mounted at /cases/national/, namespace "cases")."""

from django.urls import path

from fangpin.cases import national_views

urlpatterns = [
    path("", national_views.national_page, name="national"),
    path("<str:code>/", national_views.national_file, name="national_file"),
]
