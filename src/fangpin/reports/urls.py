"""Reports (报表): formatted ledgers and the monthly report, mounted at /reports/."""

from django.urls import path

from fangpin.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/ledger/<str:kind>.xlsx", views.ledger, name="ledger"),
    path("<str:code>/monthly/<str:month>/", views.monthly, name="monthly"),
    path("<str:code>/monthly/<str:month>.pdf", views.monthly_pdf, name="monthly_pdf"),
]
