"""Visit records (走访排查): list, record (the page's form and service), read (audited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import Field

from fangpin.accounts.access import get_scoped_or_404, scoped
from fangpin.api.auth import Scope, access
from fangpin.api.common import PageQuery, page_of
from fangpin.api.errors import FormInvalid
from fangpin.audit.services import record
from fangpin.cases.models import VisitRecord
from fangpin.cases.services import CaseError
from fangpin.cases.visits import VISIT_SCOPE, VisitForm, do_record_visit

router = Router()
VISIT = Scope(lambda: VisitRecord.objects.all(), VISIT_SCOPE, "visit_id")


class VisitIn(Schema):
    hh_no: str = Field(..., max_length=32, description="户编号（须在您的管辖范围内）")
    visit_date: dt.date = Field(..., description="走访日期，不晚于今天")
    income_12m: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2, description="近12个月家庭纯收入（元）")
    last_year_income: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2,
                                             description="上年家庭纯收入（元，选填）")
    medical_oop: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2, description="医疗自付支出（元）")
    schooling_exp: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2, description="教育支出（元）")
    disaster_loss: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2, description="灾害损失（元）")
    accident_exp: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2, description="意外事故支出（元）")
    labour_summary: str = Field("", max_length=300, description="劳动能力情况")
    food_ok: bool = Field(..., description="吃穿不愁")
    education_ok: bool = Field(..., description="义务教育有保障")
    medical_ok: bool = Field(..., description="基本医疗有保障")
    housing_ok: bool = Field(..., description="住房安全有保障")
    water_ok: bool = Field(..., description="饮水安全有保障")
    consent_data_query: bool = Field(False, description="农户同意查询其相关数据（医保、民政、教育等）")
    risk_flag: bool = Field(False, description="走访人判断发现风险，需要纳入识别")
    note: str = Field("", max_length=1000, description="备注")


class FindingOut(Schema):
    rule: str
    title: str
    text: str = Field(..., description="规则、数字和阈值，如“人均纯收入 5,000.00 元 < 监测线 7,300.00 元”")
    risk_types: list[str]
    policy_version: str


class LeadRef(Schema):
    id: int
    receipt_no: str
    case_id: int


class VisitItem(Schema):
    id: int
    household_id: int
    hh_no: str
    village_code: str
    village_name: str
    visit_date: dt.date
    visitor: str
    risk_flag: bool
    findings_count: int
    case_id: int | None


class VisitOut(VisitItem):
    income_12m: Decimal
    last_year_income: Decimal | None
    medical_oop: Decimal
    schooling_exp: Decimal
    disaster_loss: Decimal
    accident_exp: Decimal
    labour_summary: str
    food_ok: bool
    education_ok: bool
    medical_ok: bool
    housing_ok: bool
    water_ok: bool
    consent_data_query: bool
    note: str
    policy_version: str
    findings: list[FindingOut]
    lead: LeadRef | None


class VisitPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[VisitItem]


class Detail(Schema):
    detail: str


def _item(visit: VisitRecord) -> dict:
    return {"id": visit.pk, "household_id": visit.household_id, "hh_no": visit.household.hh_no,
            "village_code": visit.household.village_id, "village_name": visit.household.village.name,
            "visit_date": visit.visit_date, "visitor": str(visit.visitor) if visit.visitor_id else "",
            "risk_flag": visit.risk_flag, "findings_count": len(visit.findings),
            "case_id": visit.lead.case_id if visit.lead_id else None}


def _full(visit: VisitRecord) -> dict:
    fields = ("income_12m", "last_year_income", "medical_oop", "schooling_exp", "disaster_loss", "accident_exp",
              "labour_summary", "food_ok", "education_ok", "medical_ok", "housing_ok", "water_ok",
              "consent_data_query", "note")
    lead = ({"id": visit.lead.pk, "receipt_no": visit.lead.receipt_no, "case_id": visit.lead.case_id}
            if visit.lead_id else None)
    return {**_item(visit), **{f: getattr(visit, f) for f in fields}, "findings": visit.findings, "lead": lead,
            "policy_version": visit.policy.version if visit.policy_id else ""}


def _visits():
    return VisitRecord.objects.select_related("household__village", "visitor", "lead", "policy")


@router.get("", url_name="visits", auth=access("handle_cases"), response=VisitPage, summary="走访排查记录列表")
def visit_list(request, paging: Query[PageQuery], household: int | None = Query(None, ge=1, le=2**31 - 1,
                                                                                  description="只看某户（户 ID）")):
    """管辖范围内的走访记录，新的在前。"""
    visits = scoped(_visits(), request.user, VISIT_SCOPE).order_by("-visit_date", "-id")
    if household is not None:
        visits = visits.filter(household_id=household)
    count, rows = page_of(visits, paging)
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "items": [_item(v) for v in rows]}


@router.post("", url_name="visits", auth=access("handle_cases"),
             response={201: VisitOut, 409: Detail, 422: Detail}, summary="登记走访排查")
def visit_create(request, payload: VisitIn):
    """与走访排查页面同一表单和服务：按走访日期的监测政策研判；有发现或“发现风险”时转为线索（并入该户的案件）。"""
    data = {k: v for k, v in payload.dict().items() if v is not None}
    data = {k: v.isoformat() if isinstance(v, dt.date) else (str(v) if isinstance(v, Decimal) else v)
            for k, v in data.items()}
    form = VisitForm(data, user=request.user)
    if not form.is_valid():
        raise FormInvalid(form)
    try:
        visit = do_record_visit(request, form.save(commit=False), form.household)
    except CaseError as err:
        raise HttpError(409, str(err)) from None
    return Status(201, _full(_visits().get(pk=visit.pk)))


@router.get("/{int:visit_id}", url_name="visit", auth=access("handle_cases", VISIT), response=VisitOut,
            summary="走访排查记录")
def visit_detail(request, visit_id: int):
    """读取一条走访记录（记审计日志，与页面相同）。"""
    visit = get_scoped_or_404(_visits(), request.user, VISIT_SCOPE, pk=visit_id)
    record(request, "visit.view", obj=visit, summary=f"查看走访排查记录 {visit.household.hh_no}")
    return _full(visit)
