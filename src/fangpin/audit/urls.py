from django.urls import path

from fangpin.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("export/", views.event_export, name="export"),
    path("verify/", views.chain_verify, name="verify"),
    path("<int:seq>/", views.event_detail, name="detail"),
]
