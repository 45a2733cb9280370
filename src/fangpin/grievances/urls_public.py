"""The login-free grievance page and status lookup (mounted at /grievance/)."""

from django.urls import path

from fangpin.grievances import views

app_name = "grievance_public"
urlpatterns = [
    path("", views.public_submit, name="submit"),
    path("status/", views.public_status, name="status"),
]
