"""Grievances (诉求) for staff (mounted at /grievances/)."""

from django.urls import path

from fangpin.grievances import views

app_name = "grievances"
urlpatterns = [
    path("", views.grievance_list, name="list"),
    path("new/", views.grievance_new, name="new"),
    path("<int:pk>/", views.grievance_detail, name="detail"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/link/", views.link, name="link"),
    path("<int:pk>/lead/", views.open_lead, name="lead"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
]
