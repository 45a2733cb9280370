"""Forms of the plan pages. They check shape only; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt

from django import forms

from fangpin.cases.forms import error_text  # noqa: F401 - one wording for form errors, re-exported
from fangpin.core.elimination import GUARANTEE_LABELS
from fangpin.core.phone import PhoneError, normalise_phone
from fangpin.core.regions import ancestors
from fangpin.plans.models import MEASURE_CHOICES, REFERRAL_TARGET_CHOICES

# type=date inputs need the ISO form to show an initial value
DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class HelperForm(forms.Form):
    helper_name = forms.CharField(label="帮扶责任人姓名", max_length=50)
    helper_unit = forms.CharField(label="单位职务", max_length=100, required=False)
    # The phone is never echoed back: the input renders empty and leaving it empty keeps the number.
    helper_phone = forms.CharField(label="联系电话", max_length=30, required=False,
                                   widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    clear_phone = forms.BooleanField(label="清除联系电话", required=False)
    helper_user = forms.ModelChoiceField(label="责任人账户（可选）", queryset=None, required=False)
    note = forms.CharField(label="备注", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, village_code: str = "", masked_phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        from fangpin.accounts.models import User

        codes = [*ancestors(village_code), village_code] if village_code else []
        self.fields["helper_user"].queryset = User.objects.filter(
            region_id__in=codes, role__in=("village", "township", "county"), is_active=True).order_by("username")
        self.fields["helper_phone"].help_text = f"现为 {masked_phone or '未登记'}；留空表示不修改"

    def clean_helper_phone(self) -> str | None:
        raw = self.cleaned_data["helper_phone"]
        if not raw.strip():
            return None
        try:
            return normalise_phone(raw)
        except PhoneError as exc:
            raise forms.ValidationError(str(exc)) from None

    def phone(self) -> str | None:
        """Normal form to store, "" to clear, None to keep the stored number."""
        if self.cleaned_data.get("clear_phone"):
            return ""
        return self.cleaned_data.get("helper_phone")


class MeasureForm(forms.Form):
    code = forms.ChoiceField(label="措施", choices=[("", "请选择")] + MEASURE_CHOICES)
    detail = forms.CharField(label="具体内容", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.DecimalField(label="金额（元）", max_digits=12, decimal_places=2, min_value=0, required=False)
    start_date = forms.DateField(label="开始日期", required=False, **DATE)
    end_date = forms.DateField(label="结束日期", required=False, **DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise forms.ValidationError(f"结束日期 {end:%Y-%m-%d} 早于开始日期 {start:%Y-%m-%d}")
        return data


class ReferForm(forms.Form):
    department_kind = forms.ChoiceField(label="转办部门", choices=[("", "请选择")] + REFERRAL_TARGET_CHOICES)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    result = forms.CharField(label="落实情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    done_date = forms.DateField(label="落实日期", **DATE)


class FollowUpForm(forms.Form):
    visit_date = forms.DateField(label="回访日期", **DATE)
    income_12m = forms.DecimalField(label="近12个月家庭纯收入（元）", max_digits=12, decimal_places=2, min_value=0)
    persons = forms.IntegerField(label="家庭人口", min_value=1, max_value=99)
    food = forms.BooleanField(label=f"{GUARANTEE_LABELS['food']}不愁", required=False, initial=True)
    education = forms.BooleanField(label=f"{GUARANTEE_LABELS['education']}有保障", required=False, initial=True)
    medical = forms.BooleanField(label=f"{GUARANTEE_LABELS['medical']}有保障", required=False, initial=True)
    housing = forms.BooleanField(label=f"{GUARANTEE_LABELS['housing']}有保障", required=False, initial=True)
    water = forms.BooleanField(label=f"{GUARANTEE_LABELS['water']}有保障", required=False, initial=True)
    rigid_resolved = forms.BooleanField(label="大额刚性支出问题已解决（或没有）", required=False, initial=True)
    effect_note = forms.CharField(label="措施成效", max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label="备注", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def checks(self) -> dict[str, bool]:
        return {code: bool(self.cleaned_data.get(code)) for code in GUARANTEE_LABELS}


def today_initial() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()

