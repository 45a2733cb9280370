"""Forms of policy administration: every message in Chinese and naming its field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from fangpin.cases.models import PolicyVersion
from fangpin.core.policy import DEFAULT_RISK_TYPES, Policy

MAX_RISK_TYPE_LEN = 20
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The expenditures a visit records (VisitRecord columns, core.rules facts) that may count as rigid.
RIGID_CHOICES = [("medical_oop", "医疗自付支出"), ("schooling_exp", "教育支出"), ("disaster_loss", "灾害损失"),
                 ("accident_exp", "意外事故支出")]
DEFAULT_RIGID_ITEMS = list(Policy.__dataclass_fields__["rigid_items"].default)


class RiskTypesField(forms.CharField):
    """One risk type per line (the list is edited as text so a phone can manage it)."""

    widget = forms.Textarea(attrs={"rows": 8})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        items: list[str] = []
        for line in text.replace("，", "\n").replace(",", "\n").splitlines():
            item = line.strip()
            if item and item not in items:
                items.append(item)
        return items

    def validate(self, value: list[str]) -> None:
        if not value:
            raise forms.ValidationError("风险类型：至少填写一种（每行一种）")
        too_long = [v for v in value if len(v) > MAX_RISK_TYPE_LEN]
        if too_long:
            raise forms.ValidationError(f"风险类型“{too_long[0]}”过长：每种不超过 {MAX_RISK_TYPE_LEN} 个字")


class PolicyVersionForm(forms.ModelForm):
    risk_types = RiskTypesField(label="风险类型（每行一种）")
    rigid_items = forms.MultipleChoiceField(label="计入刚性支出的项目", choices=RIGID_CHOICES,
                                            widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = PolicyVersion
        fields = ["year", "effective_from", "monitoring_line", "collapse_ratio", "rigid_factor", "stable_months",
                  "verify_days", "identification_days", "notice_days", "followup_interval_days", "risk_types",
                  "rigid_items", "note"]
        widgets = {"effective_from": DATE_INPUT}
        help_texts = {
            "monitoring_line": "家庭年人均纯收入低于此线的纳入监测（原则上为国家扶贫标准的 1.5 倍）",
            "collapse_ratio": "近 12 个月收入比上年下降超过此比例视为收入骤减，取 0 到 1 之间，如 0.5",
            "rigid_factor": "刚性支出超过上年收入的此倍数视为“明显超过”，如 1",
            "effective_from": "不得早于本地区最新版本的生效日期（尚未生效的预定版本可由今天起的新版本替代）",
        }

    def __init__(self, *args, initial_from: PolicyVersion | None = None, **kwargs):
        if initial_from is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(initial_from, f) for f in self._meta.fields if f != "note"}
        super().__init__(*args, **kwargs)
        # An unset list on the base version means "the national defaults": show them so they can be edited.
        self.initial["risk_types"] = self.initial.get("risk_types") or list(DEFAULT_RISK_TYPES)
        self.initial["rigid_items"] = self.initial.get("rigid_items") or DEFAULT_RIGID_ITEMS
        for field in self.fields.values():
            field.error_messages["required"] = f"{field.label}：必填"
            field.error_messages["invalid"] = f"{field.label}：格式不正确"
        self.fields["rigid_items"].error_messages["required"] = "计入刚性支出的项目：至少选择一项"
        self.fields["rigid_items"].error_messages["invalid_choice"] = "计入刚性支出的项目：选项无效"

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("年度：应为 2000 到 2100 之间的年份")
        return year

    def clean_monitoring_line(self) -> Decimal:
        line = self.cleaned_data["monitoring_line"]
        if line <= 0:
            raise forms.ValidationError("监测线：必须大于 0 元")
        return line

    def clean_collapse_ratio(self) -> Decimal:
        ratio = self.cleaned_data["collapse_ratio"]
        if not Decimal("0") < ratio < Decimal("1"):
            raise forms.ValidationError("收入骤减比例：必须大于 0 且小于 1（如 0.5 表示下降一半）")
        return ratio

    def clean_rigid_factor(self) -> Decimal:
        factor = self.cleaned_data["rigid_factor"]
        if factor <= 0:
            raise forms.ValidationError("刚性支出超收入倍数：必须大于 0")
        return factor

    def _at_least_one(self, name: str) -> int:
        value = self.cleaned_data[name]
        if value < 1:
            raise forms.ValidationError(f"{self.fields[name].label}：不少于 1 天")
        return value

    def clean_stable_months(self) -> int:
        months = self.cleaned_data["stable_months"]
        if months < 1:
            raise forms.ValidationError("风险消除稳定月数：不少于 1 个月")
        return months

    def clean_verify_days(self) -> int:
        return self._at_least_one("verify_days")

    def clean_identification_days(self) -> int:
        return self._at_least_one("identification_days")

    def clean_notice_days(self) -> int:
        return self._at_least_one("notice_days")

    def clean_followup_interval_days(self) -> int:
        return self._at_least_one("followup_interval_days")

    def clean(self):
        data = super().clean()
        verify, whole = data.get("verify_days"), data.get("identification_days")
        if verify and whole and whole < verify:
            self.add_error("identification_days", f"识别总时限（{whole} 个工作日）不能短于入户核实时限（{verify} 个工作日）")
        year, start = data.get("year"), data.get("effective_from")
        if year and start and start.year not in (year - 1, year):
            self.add_error("effective_from", f"生效日期 {start:%Y-%m-%d} 与年度 {year} 不符：应在 {year} 年或上年年底")
        return data


class HolidayForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE_INPUT,
                           error_messages={"required": "日期：必填", "invalid": "日期：格式不正确，应为 2026-10-01"})
    is_workday = forms.TypedChoiceField(label="类型", choices=[("0", "法定节假日（休息）"), ("1", "调休上班")],
                                        coerce=lambda v: v == "1", initial="0",
                                        error_messages={"required": "类型：必选", "invalid_choice": "类型：请选择"})
    name = forms.CharField(label="名称", max_length=30, required=False,
                           error_messages={"max_length": "名称：不超过 30 个字"})

    def clean(self):
        data = super().clean()
        day, workday = data.get("date"), data.get("is_workday")
        if day and workday and day.weekday() < 5:
            self.add_error("is_workday", f"{day:%Y-%m-%d} 是工作日（周一至周五），无需设为调休上班")
        return data


class DeadlinePreviewForm(forms.Form):
    start = forms.DateField(label="起算日期", widget=DATE_INPUT,
                            error_messages={"required": "起算日期：必填", "invalid": "起算日期：格式不正确"})
    days = forms.IntegerField(label="工作日数", min_value=0, max_value=365, initial=5,
                              error_messages={"required": "工作日数：必填", "invalid": "工作日数：须为整数",
                                              "min_value": "工作日数：不能为负数",
                                              "max_value": "工作日数：不超过 365"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].initial = timezone.localdate
