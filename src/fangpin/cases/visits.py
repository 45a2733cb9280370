"""Visit records (走访排查) by village staff: form, service, views.

A visit's figures plus the registry's members become ``HouseholdFacts``; the core rules decide
what is wrong (with figures and thresholds) under the policy in force on the visit date. Findings,
or the visitor's own "发现风险", turn into a lead on the household's (single) open case.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_http_methods

from fangpin.accounts.access import get_scoped_or_404, require, scoped
from fangpin.audit.services import record
from fangpin.cases.models import PublicApplication, VisitRecord
from fangpin.cases.photos import PhotosField, save_photos
from fangpin.cases.public_services import do_match_application
from fangpin.cases.services import CaseError, do_open_lead, policy_for
from fangpin.core.rules import HouseholdFacts, evaluate, suggest_category
from fangpin.registry.models import Household, Member

HH_SCOPE = "village__code"
VISIT_SCOPE = "household__village__code"
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
RIGID = ("medical_oop", "schooling_exp", "disaster_loss", "accident_exp")
CHECKS = ("food_ok", "education_ok", "medical_ok", "housing_ok", "water_ok")


class VisitForm(forms.ModelForm):
    hh_no = forms.CharField(label="户编号", max_length=32,
                            widget=forms.TextInput(attrs={"list": "households", "autocomplete": "off"}))
    income_12m = forms.DecimalField(label="近12个月家庭纯收入（元）", **MONEY)
    last_year_income = forms.DecimalField(label="上年家庭纯收入（元，选填）", required=False, **MONEY)
    medical_oop = forms.DecimalField(label="医疗自付支出（元）", initial=0, **MONEY)
    schooling_exp = forms.DecimalField(label="教育支出（元）", initial=0, **MONEY)
    disaster_loss = forms.DecimalField(label="灾害损失（元）", initial=0, **MONEY)
    accident_exp = forms.DecimalField(label="意外事故支出（元）", initial=0, **MONEY)
    photos = PhotosField()

    class Meta:
        model = VisitRecord
        fields = ["visit_date", "income_12m", "last_year_income", *RIGID, "labour_summary", *CHECKS,
                  "consent_data_query", "risk_flag", "note"]
        widgets = {"visit_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                   "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.household: Household | None = None
        if not self.initial.get("visit_date"):  # the unsaved instance's None would hide a field initial
            self.initial["visit_date"] = timezone.localdate()
        self.fields["risk_flag"].label = "发现风险（走访人判断需要纳入识别）"
        self.fields["consent_data_query"].label = "农户同意查询其相关数据（医保、民政、教育等）"
        self.order_fields(["hh_no"])

    def clean_hh_no(self) -> str:
        hh_no = self.cleaned_data["hh_no"].strip()
        self.household = scoped(Household.objects, self.user, HH_SCOPE).filter(hh_no=hh_no).first()
        if self.household is None:
            raise forms.ValidationError(f"户编号“{hh_no}”不存在或不在您的管辖范围内")
        return hh_no

    def clean_visit_date(self):
        day = self.cleaned_data["visit_date"]
        if day > timezone.localdate():
            raise forms.ValidationError("走访日期不能晚于今天")
        return day


def household_facts(visit: VisitRecord, household: Household) -> HouseholdFacts:
    """The visit's figures, with the registry's active members for counts the visitor did not type."""
    members = list(household.members.filter(status="active"))
    dropouts = sum(m.schooling == "dropout" for m in members)
    uninsured = sum(not m.med_insurance for m in members)
    return HouseholdFacts(
        household_type=household.hh_type, persons=len(members), net_income=visit.income_12m,
        last_year_net_income=visit.last_year_income,
        rigid={k: getattr(visit, k) for k in RIGID if getattr(visit, k)},
        housing_safety=household.housing_safety if visit.housing_ok else "C",
        water="safe" if visit.water_ok else "unsafe_quality",
        # An unticked item counts even if the registry does not show who yet (the visitor saw it).
        dropouts=dropouts if visit.education_ok else max(dropouts, 1),
        uninsured=0 if visit.medical_ok else max(uninsured, 1),
        food_secure=visit.food_ok, sudden_hardship=visit.risk_flag,
    )


@transaction.atomic
@transaction.atomic
def do_record_visit(request, visit: VisitRecord, household: Household,
                    photos: list[tuple[bytes, str]] | None = None) -> VisitRecord:
    """Save the visit (and its photos) with the findings of the policy in force; open or feed the case when needed."""
    policy = policy_for(household.village_id, visit.visit_date)
    facts = household_facts(visit, household)
    findings = evaluate(facts, policy.as_core())
    visit.household, visit.visitor, visit.policy = household, request.user, policy
    visit.findings = [{"rule": f.rule, "title": f.title, "text": f.text, "risk_types": list(f.risk_types),
                       "policy_version": f.policy_version} for f in findings]
    visit.save()
    save_photos(visit, photos or [])
    if findings or visit.risk_flag:
        texts = [f.text for f in findings] or [f"走访人标记发现风险：{visit.note[:100]}"]
        visit.lead = do_open_lead(
            household, "visit", "走访排查：" + "；".join(texts), user=request.user, request=request,
            details={"visit": visit.pk, "findings": texts, "category": suggest_category(facts, findings) or "",
                     "policy_version": policy.version, "consent_data_query": visit.consent_data_query})
        visit.save(update_fields=["lead"])
    record(request, "visit.create", obj=visit,
           summary=f"走访排查 {household.hh_no}：{len(findings)} 项发现" + ("，已转线索" if visit.lead else ""),
           detail={"visit": visit.pk, "findings": [f.rule for f in findings], "lead": visit.lead_id,
                   "photos": len(photos or [])})
    return visit


def _households_hint(user) -> str:
    """The form's 户编号 suggestions as <option>s: three columns of 300 rows, joined here rather than by
    the template engine (900 variable lookups were half of the page's time)."""
    heads = Member.objects.filter(household=OuterRef("pk"), relation="head").order_by("status", "id")
    rows = (scoped(Household.objects.all(), user, HH_SCOPE).order_by("hh_no")
            .values_list("hh_no", Coalesce(Subquery(heads.values("name")[:1]), Value("")), "village__name")[:300])
    return format_html_join("", '<option value="{}">{} {}</option>', rows)


@require("handle_cases")
@require_http_methods(["GET", "POST"])
def visit_new(request):
    initial = {}
    if request.GET.get("household"):
        chosen = get_scoped_or_404(Household.objects, request.user, HH_SCOPE, pk=request.GET["household"])
        initial["hh_no"] = chosen.hh_no
    form = VisitForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = do_record_visit(request, form.save(commit=False), form.household, form.cleaned_data["photos"])
        except CaseError as err:
            form.add_error(None, str(err))
        else:
            return redirect("cases:visit_detail", pk=visit.pk)
    return render(request, "cases/visit_form.html", {"form": form, "household_options": _households_hint(request.user)})


@require("handle_cases")
def visit_detail(request, pk: int):
    visit = get_scoped_or_404(VisitRecord.objects.select_related("household__village", "visitor", "lead__case",
                                                                 "policy").prefetch_related("photos"),
                              request.user, VISIT_SCOPE, pk=pk)
    record(request, "visit.view", obj=visit, summary=f"查看走访排查记录 {visit.household.hh_no}")
    return render(request, "cases/visit_detail.html", {"visit": visit})


@require("handle_cases")
def visit_list(request):
    visits = scoped(VisitRecord.objects.select_related("household__village", "visitor"), request.user, VISIT_SCOPE)
    if request.GET.get("household"):
        visits = visits.filter(household_id=request.GET["household"]) if request.GET["household"].isdigit() \
            else visits.none()
    return render(request, "cases/visit_list.html", {"visits": visits[:100]})


# --- Self-applications waiting for the village (the applicant was not registered when applying) ----------

@require("handle_cases")
def application_list(request):
    apps = scoped(PublicApplication.objects.select_related("village"), request.user, "village__code")
    status = request.GET.get("status", "pending")
    if status in {"pending", "matched", "registered"}:
        apps = apps.filter(status=status)
    return render(request, "cases/visit_applications.html", {"applications": apps[:200], "status": status})


@require("handle_cases")
def application_match(request, pk: int):
    app = get_scoped_or_404(PublicApplication.objects, request.user, "village__code", pk=pk)
    if request.method != "POST":  # after the scope check: out-of-scope ids answer 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        do_match_application(request, app.pk)
    except CaseError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"申报 {app.receipt_no} 已转入该户的案件")
    return redirect("cases:application_list")
