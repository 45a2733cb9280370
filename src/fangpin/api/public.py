"""Login-free endpoints of the self-application page: apply, look up progress (same forms, limits, audit)."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import Field

from fangpin.api.errors import FormInvalid
from fangpin.cases.public_forms import ApplyForm, StatusForm
from fangpin.cases.public_services import (
    Application,
    apply_limited,
    do_public_apply,
    lookup_progress,
    status_limited,
)
from fangpin.cases.public_views import risk_types_for
from fangpin.core.regions import Level
from fangpin.regions.models import Region

router = Router(auth=None)
LIMITED = "同一网络在一小时内提交次数过多，请一小时后再试，或直接联系村委会"


class ApplicationIn(Schema):
    name: str = Field(..., max_length=50, description="申请人姓名")
    id_number: str = Field(..., max_length=20, description="申请人身份证号（18 位）")
    phone: str = Field(..., max_length=20, description="联系电话（手机）")
    village: str = Field(..., max_length=12, description="所在村（居）委会的 12 位区划代码")
    risk_type: str = Field(..., max_length=20, description="风险类型，取值见本县监测政策（如“因病”）")
    text: str = Field(..., max_length=1000, description="困难情况")
    consent: bool = Field(..., description="本人承诺所填信息属实，同意核实家庭情况（须为 true）")


class ReceiptOut(Schema):
    receipt_no: str = Field(..., description="受理编号：凭它和身份证号、手机号查询进度")
    matched: bool = Field(..., description="申请人已在本县登记：已转入该户的识别案件")
    message: str


class StatusIn(Schema):
    id_number: str = Field(..., max_length=20, description="申请人身份证号")
    phone: str = Field(..., max_length=20, description="申请时填写的联系电话")
    receipt_no: str = Field("", max_length=20, description="受理编号（选填）")


class ProgressOut(Schema):
    receipt_no: str
    submitted: dt.date
    step_label: str = Field(..., description="当前环节")
    step_since: dt.date | None
    step_due: dt.date | None = Field(..., description="本环节办理期限")
    closed: bool


class StatusOut(Schema):
    found: bool
    progress: ProgressOut | None = Field(..., description="未查到时为 null（不区分“无此人”“电话不符”“编号不符”）")
    message: str


class Detail(Schema):
    detail: str


def _county_of(village: str) -> Region:
    code = village.strip()
    county = None
    if len(code) == 12 and code.isdigit():
        county = Region.objects.filter(code=code[:6], level=Level.COUNTY, retired=False).first()
    if county is None:
        raise HttpError(422, "村：请填写有效的 12 位村级区划代码")
    return county


@router.post("/applications", url_name="public_apply", response={201: ReceiptOut, 422: Detail, 429: Detail},
             summary="农户自主申报")
def apply(request, payload: ApplicationIn):
    """与免登录申报页面相同：同样的校验、频率限制（同一网络每小时 5 次）与审计。"""
    if apply_limited(request):
        raise HttpError(429, LIMITED)
    county = _county_of(payload.village)
    village = payload.village.strip()
    form = ApplyForm({"name": payload.name, "id_number": payload.id_number, "phone": payload.phone,
                      "township": village[:9], "village": village, "risk_type": payload.risk_type,
                      "text": payload.text, "consent": payload.consent},
                     county=county, risk_types=risk_types_for(county), township=village[:9])
    if not form.is_valid():
        raise FormInvalid(form)
    d = form.cleaned_data
    row = do_public_apply(request, Application(d["name"], d["id_number"], d["phone"], d["village"], county.code,
                                               d["risk_type"], d["text"]))
    matched = row.lead_id is not None
    return Status(201, {"receipt_no": row.receipt_no, "matched": matched,
                        "message": "已受理，已转入村级核实" if matched else "已受理，待村级登记核实"})


@router.post("/status", url_name="public_status", response={200: StatusOut, 422: Detail, 429: Detail},
             summary="查询申报进度")
def status(request, payload: StatusIn):
    """凭身份证号和手机号（受理编号选填）查询进度；只返回环节和日期，不返回姓名或其他成员。"""
    if status_limited(request):
        raise HttpError(429, LIMITED)
    form = StatusForm({"id_number": payload.id_number, "phone": payload.phone, "receipt_no": payload.receipt_no})
    if not form.is_valid():
        raise FormInvalid(form)
    d = form.cleaned_data
    progress = lookup_progress(request, d["id_number"], d["phone"], d["receipt_no"])
    if progress is None:
        return {"found": False, "progress": None,
                "message": "未查到申报记录：请核对身份证号、手机号和受理编号，或联系村委会"}
    return {"found": True, "progress": progress, "message": f"当前环节：{progress.step_label}"}
