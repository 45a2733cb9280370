from django.urls import path

from fangpin.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("upload/", views.region_upload, name="upload"),
    path("<str:code>/", views.region_detail, name="detail"),
    path("<str:code>/retire/", views.region_retire, name="retire"),
]
