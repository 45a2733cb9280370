"""Department data (mounted at /datasets/)."""

from django.urls import path

from fangpin.datasets import views

app_name = "datasets"
urlpatterns = [
    path("", views.dataset_list, name="list"),
    path("mapping/", views.mapping, name="mapping"),
    path("template/<str:kind>.xlsx", views.template, name="template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/errors.xlsx", views.error_report, name="errors"),
]
