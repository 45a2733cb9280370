from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fangpin.accounts.access import require
from fangpin.audit import export
from fangpin.audit.forms import EventFilterForm
from fangpin.audit.services import do_verify, record, visible_events

FORMATS = {
    "csv": ("text/csv; charset=utf-8", export.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.to_xlsx),
}


def _filtered(request):
    form = EventFilterForm(request.GET or None)
    events = visible_events(request.user).order_by("-seq")
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    elif form.is_bound:
        events = events.none()
    return form, events


@require("read_audit")
def event_list(request):
    form, events = _filtered(request)
    page = Paginator(events, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {"form": form, "page": page, "query": query.urlencode()})


@require("read_audit")
def event_detail(request, seq: int):
    event = visible_events(request.user).filter(seq=seq).first()
    if event is None:
        raise Http404("记录不存在或不在您的管辖范围内")
    return render(request, "audit/event_detail.html", {"event": event})


@require("read_audit")
def event_export(request):
    """The filtered set as a file; the export is recorded before the file leaves."""
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Http404("不支持的导出格式")
    form, events = _filtered(request)
    content_type, write = FORMATS[fmt]
    body = write(events)
    filters = form.summary() if form.is_bound and form.is_valid() else {}
    record(request, "audit.export", object_type="auditevent", region_code=request.user.scope_code,
           summary=f"导出审计日志（{fmt}），{min(events.count(), export.MAX_ROWS)} 条",
           detail={"format": fmt, "filters": filters})
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response


@require("read_audit")
def chain_verify(request):
    report = do_verify(request) if request.method == "POST" else None
    return render(request, "audit/verify.html", {"report": report})
