"""Forms of the supervision pages. They check shape only; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from fangpin.cases.forms import error_text  # noqa: F401 - one wording for form errors, re-exported
from fangpin.cases.photos import sniff as sniff_image
from fangpin.supervision.models import COMPARATOR_CHOICES, LEVEL_CHOICES, METRIC_CHOICES

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
MAX_EVIDENCE = 3
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


class RuleForm(forms.Form):
    name = forms.CharField(label="规则名称", max_length=100, required=False,
                           help_text="留空则按条件自动命名，如“村级 未消除风险监测人口（人） > 20”")
    level = forms.TypedChoiceField(label="对象层级", choices=LEVEL_CHOICES, coerce=int)
    metric = forms.ChoiceField(label="指标", choices=METRIC_CHOICES)
    comparator = forms.ChoiceField(label="比较", choices=COMPARATOR_CHOICES, initial="gt")
    value = forms.DecimalField(label="阈值", max_digits=12, decimal_places=2)
    campaign = forms.TypedChoiceField(label="所属督战行动", coerce=int, required=False, empty_value=None)
    phase = forms.CharField(label="适用阶段（留空为全部阶段）", max_length=50, required=False)

    def __init__(self, *args, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "常态督战（不限阶段）"), *((c.pk, c.name) for c in campaigns)]


class CampaignForm(forms.Form):
    name = forms.CharField(label="督战名称", max_length=100)
    note = forms.CharField(label="督战重点", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PhaseForm(forms.Form):
    name = forms.CharField(label="阶段名称", max_length=50)
    start = forms.DateField(label="开始日期", **DATE)
    end = forms.DateField(label="结束日期", **DATE)
    focus = forms.CharField(label="阶段重点", max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期")
        return data


class AssignForm(forms.Form):
    rule = forms.IntegerField(widget=forms.HiddenInput)
    region = forms.CharField(max_length=12, widget=forms.HiddenInput)
    deadline = forms.DateField(label="整改期限", **DATE)
    requirement = forms.CharField(label="整改要求", max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.IntegerField(label="责任账户", required=False, widget=forms.HiddenInput)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Up to MAX_EVIDENCE photos (JPEG/PNG/WebP) or PDF files, checked by their bytes;
    returns ``[(name, bytes, content_type)]``."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", f"佐证材料（选填，照片或 PDF，最多 {MAX_EVIDENCE} 个，每个不超过 10 MB）")
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_EVIDENCE:
            raise forms.ValidationError(f"佐证材料最多 {MAX_EVIDENCE} 个，本次选择了 {len(files)} 个")
        out = []
        for upload in files:
            if upload.size > MAX_EVIDENCE_BYTES:
                raise forms.ValidationError(f"佐证材料“{upload.name}”超过 10 MB，请压缩后再上传")
            raw = upload.read()
            kind = sniff_image(raw[:16]) or ("application/pdf" if raw.startswith(b"%PDF-") else None)
            if kind is None:
                raise forms.ValidationError(f"佐证材料“{upload.name}”不是 JPEG、PNG、WebP 图片或 PDF 文件")
            out.append((upload.name, raw, kind))
        return out


class RectifyForm(forms.Form):
    text = forms.CharField(label="整改情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    files = EvidenceField()


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("sign_off", "审核销号"), ("send_back", "退回重改"), ("cancel", "撤销交办")])
    reason = forms.CharField(label="意见/理由", max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
