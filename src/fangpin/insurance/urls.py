"""防贫保险: claims, the scheme and the fund ledger (mounted at /insurance/)."""

from django.urls import path

from fangpin.insurance import views

app_name = "insurance"
urlpatterns = [
    path("", views.claims, name="claims"),
    path("claims/<int:pk>/", views.claim, name="claim"),
    path("claims/<int:pk>/check/", views.claim_check, name="claim_check"),
    path("claims/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
    path("eligible/", views.eligible, name="eligible"),
    path("eligible/warning/<int:pk>/", views.open_from_warning, name="open_from_warning"),
    path("eligible/case/<int:pk>/", views.open_from_case, name="open_from_case"),
    path("scheme/", views.scheme, name="scheme"),
    path("fund/", views.fund, name="fund"),
    path("fund/entry/", views.fund_entry, name="fund_entry"),
    path("fund/carry-over/", views.fund_carry, name="fund_carry"),
    path("fund/export.xlsx", views.fund_export, name="fund_export"),
]
