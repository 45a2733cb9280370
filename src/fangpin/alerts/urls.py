"""Screening runs and warnings (mounted at /alerts/)."""

from django.urls import path

from fangpin.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("<int:pk>/act/", views.act, name="act"),
]
