"""Forms of the login-free household page: application and progress lookup (Chinese errors per field)."""

from __future__ import annotations

from django import forms

from fangpin.core.idcard import IdNumberError, parse_id
from fangpin.core.phone import PhoneError, normalise_phone
from fangpin.core.regions import Level
from fangpin.regions.models import Region


def _clean_id(raw: str):
    try:
        return parse_id(raw)
    except IdNumberError as err:
        raise forms.ValidationError(f"身份证号：{err}") from None


def _clean_mobile(raw: str) -> str:
    try:
        phone = normalise_phone(raw)
    except PhoneError as err:
        raise forms.ValidationError(f"联系电话：{err}") from None
    if not phone:
        raise forms.ValidationError("请填写联系电话")
    return phone


class ApplyForm(forms.Form):
    name = forms.CharField(label="申请人姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=20,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label="联系电话", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    township = forms.ChoiceField(label="乡镇", choices=())
    village = forms.ChoiceField(label="村", choices=())
    risk_type = forms.ChoiceField(label="风险类型", choices=())
    text = forms.CharField(label="困难情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    consent = forms.BooleanField(label="本人承诺所填信息属实，同意村、乡镇、县相关部门核实家庭情况", required=True,
                                 error_messages={"required": "请勾选承诺并同意核实，否则无法受理"})

    def __init__(self, *args, county: Region, risk_types: tuple[str, ...], township: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county
        townships = Region.objects.filter(parent=county, level=Level.TOWNSHIP, retired=False).order_by("code")
        self.fields["township"].choices = [("", "请选择乡镇"), *((t.code, t.name) for t in townships)]
        self.fields["village"].choices = [("", "请选择村"), *((v.code, v.name) for v in villages_of(county, township))]
        self.fields["risk_type"].choices = [("", "请选择"), *((r, r) for r in risk_types)]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_id_number(self):
        return _clean_id(self.cleaned_data["id_number"])

    def clean_phone(self) -> str:
        return _clean_mobile(self.cleaned_data["phone"])

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()

    def clean(self):
        data = super().clean()
        village, township = data.get("village"), data.get("township")
        if village and township and not village.startswith(township):
            self.add_error("village", "所选村不属于所选乡镇")
        return data


def villages_of(county: Region, township: str) -> list[Region]:
    if not township or not township.startswith(county.code) or len(township) != 9:
        return []
    return list(Region.objects.filter(parent_id=township, level=Level.VILLAGE, retired=False).order_by("code"))


class StatusForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label="申请时填写的联系电话", max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    receipt_no = forms.CharField(label="受理编号（选填）", max_length=20, required=False)

    def clean_id_number(self) -> str:
        return _clean_id(self.cleaned_data["id_number"]).value

    def clean_phone(self) -> str:
        return _clean_mobile(self.cleaned_data["phone"])
