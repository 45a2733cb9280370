"""Registry forms: the same rules as the ledger import (ID numbers, code lists, phones, one person per household).

ID numbers and phones are never echoed back into a page: their inputs render empty, and on
edit an empty input means "unchanged".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from fangpin import pii
from fangpin.accounts.access import code_prefix_q, scoped
from fangpin.core import choices as C
from fangpin.core.digits import ascii_text
from fangpin.core.idcard import IdNumber, IdNumberError, birth_in_future, parse_id
from fangpin.core.income import INCOME_FIELDS, RIGID_FIELDS
from fangpin.core.ledger import MAX_MONEY, parse_id_cell
from fangpin.core.phone import PhoneError, normalise_phone
from fangpin.core.regions import Level
from fangpin.regions.models import Region
from fangpin.registry.models import Household, HouseholdYear, Member

MAX_PAGE_SIZE = 200
FIRST_EXIT_YEAR = 2013  # 精准扶贫 registration (建档立卡) began in 2013-2014
HH_NO = re.compile(r"^[0-9A-Za-z\-]+$")
ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")


class NoEchoInput(forms.TextInput):
    """A text input that never renders its value: a typed ID number must not come back in a page."""

    def format_value(self, value):
        return None


class SearchInput(forms.TextInput):
    """Echo a searched name, but not a searched ID number (or anything with a long run of digits)."""

    input_type = "search"

    def format_value(self, value):
        if value and re.search(r"\d{6,}", str(value)):
            return None
        return super().format_value(value)


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.parent.name} {obj.name}" if obj.parent else obj.name


def villages_in_scope(user) -> QuerySet:
    qs = Region.objects.filter(level=Level.VILLAGE, retired=False).select_related("parent")
    return scoped(qs, user, "code")


# ---------------------------------------------------------------- household


class HouseholdForm(forms.ModelForm):
    hh_no = forms.CharField(label="户编号", max_length=32, required=False,
                            help_text="国家系统户编号；新登记的一般农户可留空，系统按“村代码+序号”编号")
    village = VillageChoiceField(label="所在村", queryset=Region.objects.none(),
                                 error_messages={"invalid_choice": "所选村不在您的管辖范围内"})

    class Meta:
        model = Household
        fields = ["hh_no", "village", "address", "hh_type", "exit_year", "is_dibao", "is_tekun", "is_disabled",
                  "housing_safety", "water", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages_in_scope(user)
        if user.region.level == Level.VILLAGE and not self.instance.pk:
            self.initial.setdefault("village", user.region_id)

    def clean_hh_no(self) -> str:
        value = self.cleaned_data["hh_no"].strip()
        if value and not HH_NO.match(value):
            raise forms.ValidationError("户编号只能包含数字、字母和“-”")
        return value

    def clean_exit_year(self) -> int | None:
        year = self.cleaned_data.get("exit_year")
        this_year = timezone.localdate().year
        # An imported value left as it was is not re-judged: only what is typed here.
        unchanged = self.instance.pk and year == self.instance.exit_year
        if year is not None and not unchanged and not FIRST_EXIT_YEAR <= year <= this_year:
            raise forms.ValidationError(f"脱贫年度应在 {FIRST_EXIT_YEAR}–{this_year} 年之间")
        return year

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# ---------------------------------------------------------------- member

MEMBER_FIELDS = ["name", "relation", "health", "disability_kind", "disability_grade", "labour", "schooling",
                 "employment", "med_insurance", "pension"]


class MemberForm(forms.ModelForm):
    id_number = forms.CharField(label="身份证号", max_length=30, widget=NoEchoInput(attrs={"autocomplete": "off"}),
                                help_text="18 位（15 位旧号自动升级）；出于保密，提交出错后需重新输入")
    phone = forms.CharField(label="联系电话", max_length=30, required=False,
                            widget=NoEchoInput(attrs={"type": "tel", "autocomplete": "off"}),
                            help_text="11 位手机号或固定电话（如 0312-8212345）")
    clear_phone = forms.BooleanField(label="清除联系电话", required=False)

    class Meta:
        model = Member
        fields = MEMBER_FIELDS

    def __init__(self, *args, editing: bool = False, head_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = f"现为 {self.instance.id_masked}；留空表示不修改"
            shown = self.instance.phone_masked or "未登记"
            self.fields["phone"].help_text = f"现为 {shown}；留空表示不修改"
        else:
            del self.fields["clear_phone"]
        if head_only:
            del self.fields["relation"]

    def clean_name(self) -> str:
        name = re.sub(r"\s+", "", self.cleaned_data["name"])
        if not name or any(ch.isdigit() for ch in name):
            raise forms.ValidationError("姓名不能为空，也不能包含数字")
        return name

    def clean_id_number(self) -> IdNumber | None:
        raw = self.cleaned_data["id_number"]
        if not raw and self.editing:
            return None
        try:
            idn = parse_id_cell(raw)  # the import's rule, with its hints for a mangled spreadsheet number
        except IdNumberError as err:
            raise forms.ValidationError(str(err)) from None
        if birth_in_future(idn, timezone.localdate()):
            raise forms.ValidationError(f"身份证号中的出生日期 {idn.birth_date} 晚于今天")
        return idn

    def clean_phone(self) -> str | None:
        raw = self.cleaned_data["phone"]
        if not raw:
            return None if self.editing else ""
        try:
            return normalise_phone(raw)
        except PhoneError as err:
            raise forms.ValidationError(str(err)) from None

    def clean(self):
        data = super().clean()
        if data.get("clear_phone"):
            data["phone"] = ""
        return data

    def values(self) -> dict:
        """Model fields plus ``idn`` and ``phone`` (None = unchanged) for the services."""
        data = {name: self.cleaned_data[name] for name in MEMBER_FIELDS if name in self.fields}
        return {**data, "idn": self.cleaned_data.get("id_number"), "phone": self.cleaned_data.get("phone")}


class MemberStatusForm(forms.Form):
    status = forms.ChoiceField(label="成员状态", choices=C.MEMBER_STATUS.choices())
    on = forms.DateField(label="变更日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", max_length=200, required=False,
                           help_text="如：迁往××县××村、婚嫁迁出、死亡证明编号")

    def clean_on(self) -> dt.date:
        day = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise forms.ValidationError("变更日期不能晚于今天")
        return day


# ---------------------------------------------------------------- income year

MONEY_FIELDS = [*INCOME_FIELDS, "production_cost", *RIGID_FIELDS]


class HouseholdYearForm(forms.ModelForm):
    class Meta:
        model = HouseholdYear
        fields = ["year", *MONEY_FIELDS]

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        if self.instance.pk:
            del self.fields["year"]  # a year is corrected, not renamed
        for name in MONEY_FIELDS:
            self.fields[name].widget.attrs.update({"min": "0", "step": "0.01", "inputmode": "decimal"})

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if not 2000 <= year <= this_year:
            raise forms.ValidationError(f"年度应在 2000–{this_year} 年之间")
        if HouseholdYear.objects.filter(household=self.household, year=year).exists():
            raise forms.ValidationError(f"该户 {year} 年收支已录入，请在详情页修改该年记录")
        return year

    def clean(self):
        data = super().clean()
        for name in MONEY_FIELDS:
            amount = data.get(name)
            if amount is not None and not Decimal("0") <= amount <= MAX_MONEY:
                self.add_error(name, "金额不能为负，也不能超过 99 亿元")
        return data

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in MONEY_FIELDS}


# ---------------------------------------------------------------- list filters

FLAG_FIELDS = {"dibao": "is_dibao", "tekun": "is_tekun", "disabled": "is_disabled"}
HOUSING_FILTERS = {"CD": ["C", "D"], "A": ["A"], "B": ["B"], "C": ["C"], "D": ["D"]}


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=40,
                        widget=SearchInput(attrs={"placeholder": "姓名、拼音首字母、身份证号或户编号"}))
    township = forms.CharField(label="乡镇", required=False, max_length=12)
    village = forms.CharField(label="村", required=False, max_length=12)
    region = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)
    hh_type = forms.ChoiceField(label="户类型", required=False, choices=[("", "全部"), *C.HOUSEHOLD_TYPE.choices()])
    flag = forms.MultipleChoiceField(label="标识", required=False, widget=forms.CheckboxSelectMultiple,
                                     choices=[("dibao", "低保户"), ("tekun", "特困供养户"), ("disabled", "残疾户")])
    labour = forms.ChoiceField(label="劳动能力", required=False, choices=[("", "全部"), *C.LABOUR.choices()])
    housing = forms.ChoiceField(label="住房安全", required=False,
                                choices=[("", "全部"), ("CD", "C/D 级危房"), *C.HOUSING_SAFETY.choices()])
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, widget=forms.HiddenInput)

    search_hint = ""

    def clean_q(self) -> str:
        # １３０６… typed in full-width mode is the same ID number or 户编号 (search and its audit alike)
        return ascii_text(self.cleaned_data.get("q") or "")

    def region_code(self) -> str:
        data = self.cleaned_data
        return data.get("village") or data.get("township") or data.get("region") or ""

    def apply(self, qs: QuerySet) -> QuerySet:
        data = self.cleaned_data
        code = self.region_code()
        if code:
            qs = qs.filter(code_prefix_q("village_id", code))
        if data.get("hh_type"):
            qs = qs.filter(hh_type=data["hh_type"])
        for flag in data.get("flag") or []:
            qs = qs.filter(**{FLAG_FIELDS[flag]: True})
        if data.get("housing"):
            qs = qs.filter(housing_safety__in=HOUSING_FILTERS[data["housing"]])
        if data.get("labour"):
            qs = qs.filter(_has_member(labour=data["labour"], status="active"))
        return self._search(qs, (data.get("q") or "").strip())

    def _search(self, qs: QuerySet, text: str) -> QuerySet:
        if not text:
            return qs
        if ID_LIKE.match(text):
            try:
                idn = parse_id(text)
            except IdNumberError as err:
                self.search_hint = f"{err}；已按户编号查找"
            else:
                # An exact match on the blind index: ID numbers are never compared in clear.
                return qs.filter(_has_member(id_index=pii.id_index(idn.value)))
        if text.isdigit():
            return qs.filter(hh_no__startswith=text)
        if text.isascii() and text.isalpha():
            return qs.filter(_has_member(name_initials__startswith=text.lower()))
        return qs.filter(_has_member(name__startswith=text))


def _has_member(**lookup) -> Exists:
    return Exists(Member.objects.filter(household=OuterRef("pk"), **lookup))

