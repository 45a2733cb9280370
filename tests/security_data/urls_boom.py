"""The project's URLs plus one view that fails, to render the 500 page."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("deliberate failure for the error page test")


urlpatterns = [path("secdata-boom/", boom), path("", include("fangpin.urls"))]
