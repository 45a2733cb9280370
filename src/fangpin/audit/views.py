from django.core.paginator import Paginator
from django.shortcuts import render

from fangpin.accounts.access import require
from fangpin.audit.models import AuditEvent


@require("read_audit")
def event_list(request):
    page = Paginator(AuditEvent.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page})
