"""A URLconf where cases:detail lives elsewhere (tests/ops/test_fasturl.py)."""

from django.http import HttpResponse
from django.urls import include, path


def _view(request, pk):
    return HttpResponse(str(pk))


cases = ([path("<int:pk>/", _view, name="detail")], "cases")
urlpatterns = [path("elsewhere/", include(cases))]
