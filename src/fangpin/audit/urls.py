from django.urls import path

from fangpin.audit import approval_views, views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("export/", views.event_export, name="export"),
    path("verify/", views.chain_verify, name="verify"),
    path("<int:seq>/", views.event_detail, name="detail"),
    path("approvals/", approval_views.approval_list, name="approvals"),
    path("approvals/new/", approval_views.approval_new, name="approval_new"),
    path("approvals/<int:pk>/", approval_views.approval_detail, name="approval_detail"),
    path("approvals/<int:pk>/decide/", approval_views.approval_decide, name="approval_decide"),
    path("approvals/<int:pk>/download/", approval_views.approval_download, name="approval_download"),
]
