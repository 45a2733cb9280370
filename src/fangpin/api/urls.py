"""HTTP API with an OpenAPI document (mounted at /api/).

Ninja's views authenticate themselves (token or session), so they are exempt from the login
middleware; a GET without either that does not ask for JSON (a browser) is sent to the login page
like everywhere else; any other unauthenticated call gets a JSON 401.
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.urls import URLPattern, path

from fangpin.api import token_views, views
from fangpin.api.api import api
from fangpin.api.errors import json_405

app_name = "api"
PUBLIC = {"api-root", "openapi-json", "public_apply", "public_status"}


def _wrap(view, public: bool):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        anonymous = not request.user.is_authenticated and "HTTP_AUTHORIZATION" not in request.META
        browsing = request.method in ("GET", "HEAD") and "application/json" not in request.headers.get("Accept", "")
        if not public and anonymous and browsing:
            return redirect_to_login(request.get_full_path())
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            return json_405(response)
        return response

    wrapper.csrf_exempt = True  # ninja checks CSRF itself for session callers
    return login_not_required(wrapper)


def _patterns() -> list:
    result = []
    for pattern in api.urls[0]:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "api-root":
            pattern = path("", views.index, name="api-root")
        pattern.callback = _wrap(pattern.callback, pattern.name in PUBLIC)
        result.append(pattern)
    return result


urlpatterns: list = [
    *_patterns(),
    path("docs", views.docs, name="docs"),
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
]
