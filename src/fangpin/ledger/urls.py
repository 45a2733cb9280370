from django.urls import path

from fangpin.ledger import views

app_name = "ledger"
urlpatterns = [
    path("import/", views.import_page, name="import"),
]
