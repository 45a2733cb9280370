"""Village notices (公示) and county announcements (公告), printable and PDF (mounted at /cases/notices/)."""

from django.urls import path

from fangpin.cases import notices

urlpatterns = [
    path("", notices.index, name="notices"),
    path("village/<str:code>/", notices.village, name="notice_village"),
    path("county/", notices.county, name="notice_county"),
]
