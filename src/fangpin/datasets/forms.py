from __future__ import annotations

from django import forms

from fangpin.core.screening import SCHEMAS
from fangpin.datasets.services import kinds_for

ACCEPT = ".csv,.xlsx,.xls,.parquet"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="数据类型")
    file = forms.FileField(label="数据文件（CSV（UTF-8 或 GBK）、Excel 或 Parquet）",
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, SCHEMAS[k].label) for k in kinds_for(user)]


class MappingForm(forms.Form):
    """One select per schema field: which of the file's columns holds it."""

    def __init__(self, *args, schema, headers, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "（无此列）")] + [(h, h) for h in headers if h]
        for fld in schema.fields:
            index = initial_mapping.get(fld.key)
            self.fields[fld.key] = forms.ChoiceField(
                label=fld.header + ("（必填）" if fld.required else ""), choices=choices, required=fld.required,
                initial=headers[index] if index is not None else "")
