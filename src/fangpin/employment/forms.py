"""Forms of the employment pages. They check shape only; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from fangpin.cases.forms import error_text  # noqa: F401 - one wording for form errors, re-exported
from fangpin.core.phone import PhoneError, normalise_phone
from fangpin.employment.models import PLACE_CHOICES, SEX_CHOICES

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class DemandForm(forms.Form):
    firm = forms.CharField(label="用工单位", max_length=100)
    title = forms.CharField(label="岗位", max_length=60)
    place = forms.ChoiceField(label="工作地点类型", choices=PLACE_CHOICES)
    location = forms.CharField(label="工作地点", max_length=100)
    slots = forms.IntegerField(label="招聘人数", min_value=1, max_value=100000)
    wage = forms.DecimalField(label="月薪（元）", min_value=0, max_digits=9, decimal_places=2, required=False)
    age_min = forms.IntegerField(label="年龄下限", min_value=16, max_value=60, initial=18)
    age_max = forms.IntegerField(label="年龄上限", min_value=16, max_value=70, initial=55)
    sex = forms.ChoiceField(label="性别要求", choices=SEX_CHOICES, required=False)
    weak_ok = forms.BooleanField(label="弱劳动力可做（轻体力）", required=False)
    transport = forms.BooleanField(label="提供点对点接送", required=False)
    valid_until = forms.DateField(label="有效期至", **DATE)
    contact_name = forms.CharField(label="联系人", max_length=30, required=False)
    # never echoed back: empty keeps the stored number
    phone = forms.CharField(label="联系电话", max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    note = forms.CharField(label="其他要求", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_phone(self) -> str | None:
        raw = self.cleaned_data["phone"]
        if not raw.strip():
            return None
        try:
            return normalise_phone(raw)
        except PhoneError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        if data.get("age_min") and data.get("age_max") and data["age_max"] < data["age_min"]:
            self.add_error("age_max", "年龄上限不能小于下限")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="用工需求表（xlsx 或 csv）")


class OutcomeForm(forms.Form):
    hired = forms.TypedChoiceField(label="结果", choices=[("1", "已上岗"), ("0", "未录用")], coerce=lambda v: v == "1")
    start_date = forms.DateField(label="上岗日期", required=False, **DATE)
    note = forms.CharField(label="说明（未录用须填原因）", max_length=500, required=False)
