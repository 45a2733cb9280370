"""数据看板 (mounted at /dashboards/)."""

from django.urls import path

from fangpin.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("r/<str:code>/", views.region, name="region"),
    path("r/<str:code>/map.json", views.map_json, name="map_json"),
    path("r/<str:code>/<slug:key>.xlsx", views.panel_xlsx, name="panel_xlsx"),
    path("maps/", views.maps, name="maps"),
    path("maps/upload/", views.map_upload, name="map_upload"),
]
