"""Screening runs and warnings (mounted at /alerts/); what-if simulations of a draft policy."""

from django.urls import path

from fangpin.alerts import views, views_whatif

app_name = "alerts"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("<int:pk>/act/", views.act, name="act"),
    path("whatif/", views_whatif.whatif_list, name="whatif"),
    path("whatif/<int:pk>/", views_whatif.whatif_detail, name="whatif_detail"),
]
