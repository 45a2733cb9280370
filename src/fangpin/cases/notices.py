"""Village notices (公示) and county announcements (公告): the index, printable pages and PDFs.

Every page is scoped to the user's region and every generation is audited. What a row may show
is decided in ``notice_services`` (head's name, household size, category, risk types, dates).
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from fangpin.accounts.access import get_scoped_or_404, require
from fangpin.audit.services import record
from fangpin.cases import notice_services as ns
from fangpin.cases.forms import error_text
from fangpin.core.regions import Level
from fangpin.regions.models import Region

PRINT_CSS = "fangpin/print.css"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A personal mobile number (11 digits from 13x–19x): a notice prints an office's phone, never a person's.
MOBILE = re.compile(r"^1[3-9]\d{9}$")
PHONE = re.compile(r"^[0-9()（）\- ]{3,20}$")


def today() -> dt.date:
    return timezone.localdate()


def _clean_phone(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if not PHONE.match(value):
        raise forms.ValidationError("只能填写数字、短横线和括号，如 0312-5512345")
    if MOBILE.match(re.sub(r"[^0-9]", "", value)):
        raise forms.ValidationError("请填写村委会或乡镇的办公电话，不要填写个人手机号")
    return value


class NoticeForm(forms.Form):
    """Options of a village notice, read from the query string (the index's small form)."""

    kind = forms.ChoiceField(label="公示类型", required=False,
                             choices=[("", "全部"), *((k, v["short"]) for k, v in ns.KINDS.items())])
    phone = forms.CharField(label="监督电话", required=False, max_length=20)
    contact = forms.CharField(label="异议受理单位", required=False, max_length=60)
    date = forms.DateField(label="落款日期", required=False, widget=DATE)

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])


class AnnouncementForm(forms.Form):
    """Options of a county announcement: the period it covers, its 文号 and issuing office."""

    start = forms.DateField(label="起始日期", required=False, widget=DATE)
    end = forms.DateField(label="截止日期", required=False, widget=DATE)
    doc_no = forms.CharField(label="文号", required=False, max_length=50,
                             widget=forms.TextInput(attrs={"placeholder": "如 易防返贫办〔2026〕12号"}))
    office = forms.CharField(label="发布单位", required=False, max_length=60,
                             widget=forms.TextInput(attrs={"placeholder": "默认：县防止返贫监测帮扶工作领导小组办公室"}))
    phone = forms.CharField(label="监督电话", required=False, max_length=20)
    region = forms.CharField(label="公告范围", required=False, max_length=12)
    date = forms.DateField(label="落款日期", required=False, widget=DATE)

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "截止日期不能早于起始日期")
        elif start and end and (end - start).days > 366:
            self.add_error("end", "一次公告最多涵盖一年")
        return data


def _error(request, message: str, status: int):
    return render(request, "cases/notice_error.html", {"message": message}, status=status)


def _pdf_response(request, template: str, context: dict, filename: str, fallback: str):
    html = render_to_string(template, {**context, "pdf": True}, request=request)
    try:
        pdf = ns.render_pdf(html, finders.find(PRINT_CSS))
    except ns.PdfUnavailable:
        return _error(request, "服务器暂时无法生成 PDF（排版组件 WeasyPrint/Pango 未能加载）。"
                               "请使用打印页面，通过浏览器“打印”另存为 PDF，或联系系统管理员。", 503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = ns.content_disposition(filename, fallback)
    return response


# ---------------------------------------------------------------- index


@require("handle_cases")
def index(request):
    """A village user: its own notices. Township and county: villages with cases under notice, and the
    county announcement form."""
    user = request.user
    context: dict = {"today": today()}
    if user.region.level == Level.VILLAGE:
        docs = ns.village_notices(user.region, list(ns.KINDS))
        context.update(village=user.region, docs=[{"kind": k, **ns.KINDS[k], "rows": docs[k]} for k in ns.KINDS],
                       form=NoticeForm())
    else:
        start, end = ns.default_period(today())
        region = user.region
        townships = Region.objects.filter(parent=region, level=Level.TOWNSHIP, retired=False).order_by("code")
        context.update(villages=ns.villages_in_notice(user), form=NoticeForm(),
                       announcement_form=AnnouncementForm(initial={"start": start, "end": end, "date": end}),
                       region_choices=[(region.code, f"{region.name}（全部）"),
                                       *townships.values_list("code", "name")])
    return render(request, "cases/notice_index.html", context)


# ---------------------------------------------------------------- village notice


def _village_context(request, code: str):
    village = get_scoped_or_404(Region.objects.filter(level=Level.VILLAGE).select_related("parent"),
                                request.user, "code", code=code)
    form = NoticeForm(request.GET)
    if not form.is_valid():
        return None, form
    data = form.cleaned_data
    kinds = [data["kind"]] if data["kind"] else list(ns.KINDS)
    found = ns.village_notices(village, kinds)
    township = village.parent.name if village.parent else ""
    docs = [{"kind": k, **ns.KINDS[k], "rows": found[k], "period": _common_period(found[k])} for k in kinds]
    context = {
        "village": village, "township": township, "docs": docs,
        "phone": data["phone"], "contact": data["contact"] or f"{village.name}或{township}人民政府",
        "date": data["date"] or today(),
        "case_ids": [row.case_id for doc in docs for row in doc["rows"]],
    }
    return context, form


def _common_period(rows: list[ns.NoticeRow]) -> tuple | None:
    periods = {(row.start, row.end) for row in rows}
    return periods.pop() if len(periods) == 1 else None


def _village_names(context: dict) -> str:
    return "、".join(doc["short"] for doc in context["docs"])


def _wants_pdf(request) -> bool:
    return request.GET.get("format") == "pdf"


def _pdf_link(request) -> str:
    query = request.GET.copy()
    query["format"] = "pdf"
    return f"{request.path}?{query.urlencode()}"


@require("handle_cases")
def village(request, code: str):
    """The village's notices as a printable page, or (``?format=pdf``) as a PDF."""
    context, form = _village_context(request, code)
    if context is None:
        return _error(request, error_text(form), 400)
    pdf = _wants_pdf(request)
    what = f"{context['village'].name}{_village_names(context)}"
    record(request, "notice.pdf" if pdf else "notice.print", object_type="region", object_id=code,
           region_code=code, summary=f"{'下载' if pdf else '打印'}{what}{' PDF' if pdf else ''}"
                                     f"（{len(context['case_ids'])} 户）",
           detail={"kinds": [d["kind"] for d in context["docs"]], "cases": context["case_ids"]})
    if not pdf:
        context["pdf_url"] = _pdf_link(request)
        return render(request, "cases/notice_village.html", context)
    kind = context["docs"][0]["short"] if len(context["docs"]) == 1 else "公示"
    return _pdf_response(request, "cases/notice_village.html", context,
                         f"{context['village'].name}{kind}-{context['date']:%Y%m%d}.pdf",
                         f"notice-{code}-{context['date']:%Y%m%d}.pdf")


# ---------------------------------------------------------------- county announcement


def _announcement_context(request):
    form = AnnouncementForm(request.GET)
    if not form.is_valid():
        return None, error_text(form)
    data = form.cleaned_data
    user = request.user
    code = data["region"].strip() or user.region_id
    region = get_scoped_or_404(Region.objects.all(), user, "code", code=code)
    county = ns.county_of(region.code)
    if county is None:
        return None, "公告范围：县级公告须选择一个县及以下的区划"
    default_start, default_end = ns.default_period(today())
    start, end = data["start"] or default_start, data["end"] or default_end
    if start > end:
        return None, "截止日期：截止日期不能早于起始日期"
    found = ns.announcement(user, region.code, start, end)
    context = {
        "region": region, "county": county, "start": start, "end": end, "doc_no": data["doc_no"].strip(),
        "office": data["office"].strip() or f"{county.name}{ns.DEFAULT_OFFICE}", "phone": data["phone"],
        "date": data["date"] or today(),
        "included": found["included"], "eliminated": found["eliminated"],
        "included_count": sum(len(g.rows) for g in found["included"]),
        "eliminated_count": sum(len(g.rows) for g in found["eliminated"]),
    }
    context["case_ids"] = [r.case_id for g in found["included"] + found["eliminated"] for r in g.rows]
    return context, ""


def _announcement_summary(context: dict) -> str:
    return (f"{context['region'].name} {context['start']:%Y-%m-%d}至{context['end']:%Y-%m-%d}"
            f"（纳入 {context['included_count']} 户，消除 {context['eliminated_count']} 户）")


@require("handle_cases")
def county(request):
    """The county announcement for the user's region (or ``region``), printable or ``?format=pdf``."""
    context, message = _announcement_context(request)
    if context is None:
        return _error(request, message, 400)
    pdf = _wants_pdf(request)
    record(request, "notice.pdf" if pdf else "notice.print", object_type="region",
           object_id=context["region"].code, region_code=context["region"].code,
           summary=f"{'下载' if pdf else '打印'}县级公告{' PDF' if pdf else ''}：{_announcement_summary(context)}",
           detail={"start": context["start"].isoformat(), "end": context["end"].isoformat(),
                   "doc_no": context["doc_no"], "cases": context["case_ids"]})
    if not pdf:
        context["pdf_url"] = _pdf_link(request)
        return render(request, "cases/notice_county.html", context)
    return _pdf_response(request, "cases/notice_county.html", context,
                         f"{context['county'].name}防止返贫监测公告-{context['end']:%Y%m%d}.pdf",
                         f"announcement-{context['region'].code}-{context['end']:%Y%m%d}.pdf")
