from django.urls import path

from fangpin.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("villages/", views.village_options, name="villages"),
    path("new/", views.household_create, name="create"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/edit/", views.household_edit, name="edit"),
    path("<int:pk>/members/new/", views.member_add, name="member_add"),
    path("<int:pk>/years/new/", views.year_add, name="year_add"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/status/", views.member_status, name="member_status"),
    path("members/<int:pk>/unmask/", views.member_unmask, name="member_unmask"),
    path("years/<int:pk>/edit/", views.year_edit, name="year_edit"),
]
