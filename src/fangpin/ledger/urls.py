from django.urls import path

from fangpin.ledger import views

app_name = "ledger"
urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.template_download, name="template"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/confirm/", views.job_confirm, name="job_confirm"),
    path("jobs/<int:pk>/errors.xlsx", views.job_report, name="job_report"),
    path("export/", views.export_page, name="export"),
    path("export/<str:code>.xlsx", views.export_download, name="export_file"),
]
