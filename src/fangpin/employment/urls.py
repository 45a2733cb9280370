"""Employment link (就业帮扶岗位对接), mounted at /jobs/."""

from django.urls import path

from fangpin.employment import views

app_name = "employment"
urlpatterns = [
    path("", views.demand_list, name="list"),
    path("new/", views.demand_new, name="new"),
    path("import/", views.demand_import, name="import"),
    path("template.xlsx", views.template, name="template"),
    path("<int:pk>/", views.demand_detail, name="detail"),
    path("<int:pk>/edit/", views.demand_edit, name="edit"),
    path("<int:pk>/close/", views.demand_close, name="close"),
    path("<int:pk>/recommend/", views.recommend, name="recommend"),
    path("placements/", views.placements, name="placements"),
    path("placements/<int:pk>/outcome/", views.outcome, name="outcome"),
]
