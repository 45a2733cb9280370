"""Every refusal is a 4xx JSON body ``{"detail": "中文说明", ...}``; the English of the framework is translated."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from fangpin.audit.services import record

log = logging.getLogger("fangpin.api")

NOT_FOUND = "记录不存在或不在您的管辖范围内"
FRAMEWORK_MESSAGES = {
    "Unauthorized": "请先登录，或在 Authorization 请求头中提供接口令牌（Bearer）",
    "CSRF check Failed": "CSRF 校验失败：浏览器会话提交须带 X-CSRFToken 请求头（值取自 csrftoken Cookie）",
    "Cannot parse request body": "请求体不是有效的 JSON",
    "Forbidden": "您的角色无权使用此接口",
    "Too many requests.": "请求过于频繁，请稍后再试",
}

# Field names of the request schemas → the labels the pages use.
LABELS = {
    "name": "申请人姓名", "id_number": "身份证号", "phone": "联系电话", "village": "村", "risk_type": "风险类型",
    "text": "困难情况", "consent": "承诺并同意核实", "receipt_no": "受理编号", "hh_no": "户编号",
    "visit_date": "走访日期", "income_12m": "近12个月家庭纯收入", "last_year_income": "上年家庭纯收入",
    "medical_oop": "医疗自付支出", "schooling_exp": "教育支出", "disaster_loss": "灾害损失",
    "accident_exp": "意外事故支出", "labour_summary": "劳动能力情况", "food_ok": "吃穿不愁",
    "education_ok": "义务教育有保障", "medical_ok": "基本医疗有保障", "housing_ok": "住房安全有保障",
    "water_ok": "饮水安全有保障", "consent_data_query": "同意查询相关数据", "risk_flag": "发现风险",
    "note": "备注", "action": "动作", "seen_state": "环节", "reason": "理由", "data": "办理内容",
    "summary": "线索摘要", "page": "页码", "page_size": "每页条数", "state": "环节", "household": "户",
    "case_id": "案件", "visit_id": "走访记录", "household_id": "户",
}


class FormInvalid(Exception):
    """A Django form of the pages refused the input: its Chinese messages become the 422 body."""

    def __init__(self, form: forms.Form) -> None:
        super().__init__("form invalid")
        self.form = form


def _message(err: dict[str, Any]) -> str:
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "missing":
        return "必填"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字符"
    if kind == "string_too_short":
        return f"不能少于 {ctx.get('min_length')} 个字符"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{'或等于' if kind == 'greater_than' else ''} {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{'或等于' if kind == 'less_than' else ''} {ctx.get('le', ctx.get('lt'))}"
    if kind in ("literal_error", "enum"):
        return f"应为以下之一：{ctx.get('expected', '')}"
    if kind == "bool_parsing" or kind == "bool_type":
        return "应为 true 或 false"
    if kind.startswith(("int_", "float_", "decimal_")):
        return "应为数字"
    if kind.startswith(("date_", "datetime_")):
        return "应为日期（YYYY-MM-DD）"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "应为 JSON 对象"
    if kind == "list_type":
        return "应为数组"
    return "格式不正确"


def _field(loc: tuple) -> str:
    # ("body", "payload", "income_12m") / ("query", "page") / ("path", "case_id")
    names = [str(p) for p in loc[1:] if not isinstance(p, int) and p != "payload"]
    return ".".join(names)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def validation(request, exc: ValidationError):
        errors = []
        for err in exc.errors:
            field = _field(tuple(err.get("loc", ())))
            label = LABELS.get(field.split(".")[-1], field) if field else "请求体"
            errors.append({"field": field, "message": f"{label}：{_message(err)}"})
        detail = "；".join(e["message"] for e in errors) or "请求内容不正确"
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    @api.exception_handler(FormInvalid)
    def form_invalid(request, exc: FormInvalid):
        form = exc.form
        errors = []
        for name, messages in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for message in messages:
                prefixed = label and "：" not in str(message)  # the forms often name the field already
                errors.append({"field": "" if name == "__all__" else name,
                               "message": f"{label}：{message}" if prefixed else str(message)})
        detail = "；".join(e["message"] for e in errors) or "请求内容不正确"
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        message = str(exc.message)
        if message.startswith("Cannot parse request body"):  # DEBUG appends the parser's English
            message = "Cannot parse request body"
        return api.create_response(request, {"detail": FRAMEWORK_MESSAGES.get(message, message)},
                                   status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        message = str(exc)
        chinese = message if message and not message.isascii() else NOT_FOUND
        return api.create_response(request, {"detail": chinese}, status=404)

    @api.exception_handler(PermissionDenied)
    def denied(request, exc: PermissionDenied):
        if request.user.is_authenticated:
            record(request, "access.denied", summary=f"拒绝访问 {request.path[:200]}", result="denied",
                   detail={"path": request.path[:300], "method": request.method, "api": True})
        return api.create_response(request, {"detail": FRAMEWORK_MESSAGES["Forbidden"]}, status=403)

    @api.exception_handler(Exception)
    def unexpected(request, exc: Exception):
        log.exception("API 未处理的异常：%s %s", request.method, request.path)
        return api.create_response(request, {"detail": "服务器内部错误，已记录，请联系系统管理员"}, status=500)


def json_405(response):
    """Ninja's bare 405 (a method the route does not have) as JSON, keeping the Allow header."""
    from django.http import JsonResponse

    allowed = response.get("Allow", "")
    result = JsonResponse({"detail": f"不支持此请求方法（可用：{allowed}）"}, status=405,
                          json_dumps_params={"ensure_ascii": False})
    if allowed:
        result["Allow"] = allowed
    return result
