"""Forms of grievances: the public page, the staff registration, and one form per step (Chinese errors per field)."""

from __future__ import annotations

from django import forms

from fangpin.accounts.access import code_prefix_q
from fangpin.cases.forms import error_text  # noqa: F401  (re-exported for the views)
from fangpin.cases.public_forms import villages_of
from fangpin.core.grievance import Kind, Outcome, Satisfaction
from fangpin.core.idcard import IdNumber, IdNumberError, parse_id
from fangpin.core.phone import PhoneError, normalise_phone
from fangpin.core.regions import Level
from fangpin.grievances.models import KIND_CHOICES, OUTCOME_CHOICES, SATISFACTION_CHOICES, SOURCE_CHOICES
from fangpin.regions.models import Region


def clean_phone(raw: str) -> str:
    try:
        phone = normalise_phone(raw)
    except PhoneError as err:
        raise forms.ValidationError(f"联系电话：{err}") from None
    if not phone:
        raise forms.ValidationError("联系电话：请填写，用于回访和查询办理进度")
    return phone


def clean_optional_id(raw: str) -> IdNumber | None:
    if not raw.strip():
        return None
    try:
        return parse_id(raw)
    except IdNumberError as err:
        raise forms.ValidationError(f"身份证号：{err}") from None


def name_required(form: forms.Form) -> None:
    """Required-field errors that name the field (“请选择诉求类型”), not Django's generic sentence."""
    for field in form.fields.values():
        label = str(field.label or "").split("（")[0]
        verb = "请选择" if isinstance(field, forms.ChoiceField) else "请填写"
        if field.error_messages["required"] == forms.Field.default_error_messages["required"]:
            field.error_messages["required"] = f"{verb}{label}"


class NamedForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_required(self)


class _GrievanceFields(NamedForm):
    kind = forms.ChoiceField(label="诉求类型", choices=[("", "请选择"), *KIND_CHOICES])
    name = forms.CharField(label="反映人姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    id_number = forms.CharField(label="身份证号（选填）", max_length=20, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    content = forms.CharField(label="诉求内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("反映人姓名：请填写")
        return name

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean_id_number(self) -> IdNumber | None:
        return clean_optional_id(self.cleaned_data["id_number"])

    def clean_content(self) -> str:
        text = self.cleaned_data["content"].strip()
        if len(text) < 5:
            raise forms.ValidationError("诉求内容：请写明反映的问题（至少 5 个字）")
        return text

    def kind_enum(self) -> Kind:
        return Kind(self.cleaned_data["kind"])


class PublicForm(_GrievanceFields):
    """The login-free page. ``website`` is a honeypot: hidden from people by the stylesheet, filled by bots."""

    township = forms.ChoiceField(label="乡镇", choices=())
    village = forms.ChoiceField(label="村", choices=())
    website = forms.CharField(label="网址（请勿填写）", required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    consent = forms.BooleanField(label="本人承诺所反映情况属实，同意相关部门核实和回访", required=True,
                                 error_messages={"required": "请勾选承诺，否则无法受理"})

    field_order = ["kind", "name", "phone", "id_number", "township", "village", "content", "website", "consent"]

    def __init__(self, *args, county: Region, township: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county
        townships = Region.objects.filter(parent=county, level=Level.TOWNSHIP, retired=False).order_by("code")
        self.fields["township"].choices = [("", "请选择乡镇"), *((t.code, t.name) for t in townships)]
        self.fields["village"].choices = [("", "请选择村"), *((v.code, v.name) for v in villages_of(county, township))]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def clean(self):
        data = super().clean()
        village, township = data.get("village"), data.get("township")
        if village and township and not village.startswith(township):
            self.add_error("village", "所选村不属于所选乡镇")
        return data


class StaffForm(_GrievanceFields):
    source = forms.ChoiceField(label="来源", choices=[c for c in SOURCE_CHOICES if c[0] != "public"])
    village = forms.ChoiceField(label="所在村", choices=())
    hh_no = forms.CharField(label="户编号（已知时填写）", max_length=32, required=False)
    case_id = forms.IntegerField(label="案件编号（已知时填写）", required=False, min_value=1)

    field_order = ["source", "kind", "village", "name", "phone", "id_number", "content", "hh_no", "case_id"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = Region.objects.filter(code_prefix_q("code", user.scope_code), level=Level.VILLAGE,
                                         retired=False)
        self.fields["village"].choices = [("", "请选择村"), *(
            (v.code, f"{v.parent.name} {v.name}") for v in villages.select_related("parent").order_by("code"))]


class AssignForm(NamedForm):
    seen_state = forms.CharField(widget=forms.HiddenInput)
    owner = forms.ChoiceField(label="承办人账户", choices=())
    leader = forms.CharField(label="包案领导（姓名、职务）", max_length=60, required=False)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "请选择"), *((str(u.pk), f"{u}（{u.region.name}）") for u in owners)]


class RespondForm(NamedForm):
    seen_state = forms.CharField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label="办理结果", choices=[("", "请选择"), *OUTCOME_CHOICES])
    response = forms.CharField(label="答复内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def outcome_enum(self) -> Outcome:
        return Outcome(self.cleaned_data["outcome"])


class VisitForm(NamedForm):
    seen_state = forms.CharField(widget=forms.HiddenInput)
    satisfaction = forms.ChoiceField(label="群众满意度", choices=SATISFACTION_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(label="回访情况", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def satisfaction_enum(self) -> Satisfaction:
        return Satisfaction(self.cleaned_data["satisfaction"])


class ReopenForm(NamedForm):
    seen_state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label="不满意的原因（必填）", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class LinkForm(forms.Form):
    hh_no = forms.CharField(label="户编号", max_length=32, required=False)
    case_id = forms.IntegerField(label="案件编号", required=False, min_value=1)


class StatusForm(NamedForm):
    no = forms.CharField(label="查询编号", max_length=20)
    phone = forms.CharField(label="提交时填写的联系电话", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])


class LedgerFilter(forms.Form):
    start = forms.DateField(label="受理日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
