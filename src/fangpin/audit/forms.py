import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q
from fangpin.audit.models import AuditEvent


class EventFilterForm(forms.Form):
    """The audit administrator's search: every field optional, all combined with AND."""

    user = forms.CharField(label="用户名", required=False, max_length=150)
    action = forms.CharField(label="操作（前缀）", required=False, max_length=60,
                             help_text="如 household. 或 login.failed")
    object_type = forms.CharField(label="对象类型", required=False, max_length=40)
    object_id = forms.CharField(label="对象ID", required=False, max_length=64)
    region = forms.CharField(label="区划代码（前缀）", required=False, max_length=12)
    result = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *AuditEvent.RESULT_CHOICES])
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        if code and not code.isdigit():
            raise forms.ValidationError("区划代码只能包含数字")
        return code

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data

    def filter(self, qs: QuerySet) -> QuerySet:
        data = self.cleaned_data
        exact = {"username": data.get("user"), "object_type": data.get("object_type"),
                 "object_id": data.get("object_id"), "result": data.get("result")}
        qs = qs.filter(**{k: v.strip() for k, v in exact.items() if v and v.strip()})
        if data.get("action"):
            qs = qs.filter(action__startswith=data["action"].strip())
        if data.get("region"):
            qs = qs.filter(code_prefix_q("region_code", data["region"]))
        if data.get("date_from"):
            qs = qs.filter(ts__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            qs = qs.filter(ts__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
        return qs

    def summary(self) -> dict[str, str]:
        """The filters in force, for the export's own audit row (no personal data in any of them)."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v}


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
