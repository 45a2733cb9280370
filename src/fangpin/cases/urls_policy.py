"""Policy administration (mounted at /cases/policy/): versions, holidays, a deadline preview."""

from django.urls import path

from fangpin.cases import policy_views as views

urlpatterns = [
    path("", views.policy_list, name="policy_list"),
    path("new/", views.policy_create, name="policy_create"),
    path("<int:pk>/", views.policy_detail, name="policy_detail"),
    path("holidays/", views.holiday_list, name="holiday_list"),
    path("holidays/new/", views.holiday_create, name="holiday_create"),
    path("holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
]
