"""Work pages of the procedure (mounted at /cases/, namespace "cases")."""

from django.urls import path

from fangpin.cases import adopt, views

urlpatterns = [
    path("", views.queue, name="queue"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("open/<int:household_pk>/", views.open_lead, name="open"),
    path("adopt/", adopt.adopt_page, name="adopt"),
]
