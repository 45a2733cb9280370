from django.urls import path

from fangpin.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("<int:pk>/", views.household_detail, name="detail"),
]
