from django.core.exceptions import PermissionDenied

from fangpin.audit.services import record


class AuditDeniedMiddleware:
    """Refused requests are part of the record: who tried what, from where."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied) and request.user.is_authenticated:
            record(request, "access.denied", summary=f"拒绝访问 {request.path[:200]}", result="denied",
                   detail={"path": request.path[:300], "method": request.method})
        return None
