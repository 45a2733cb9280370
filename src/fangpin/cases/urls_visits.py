"""Visit records (走访排查) and pending self-applications, logged-in, mounted at /cases/visits/ in the "cases" namespace."""

from django.urls import path

from fangpin.cases import photos, visits

urlpatterns: list = [
    path("", visits.visit_list, name="visit_list"),
    path("new/", visits.visit_new, name="visit_new"),
    path("<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("<int:pk>/photos/<int:photo_pk>/", photos.photo, name="visit_photo"),
    path("applications/", visits.application_list, name="application_list"),
    path("applications/<int:pk>/match/", visits.application_match, name="application_match"),
]
