from django import forms
from django.conf import settings

from fangpin.core import choices as C
from fangpin.ledger import files


class UploadForm(forms.Form):
    file = forms.FileField(label="台账文件", help_text="xlsx、xls 或 csv（UTF-8 / GBK），一行一名成员")
    mode = forms.ChoiceField(label="操作", choices=[("check", "仅校验（不写入）"), ("import", "校验并导入")],
                             initial="check", widget=forms.RadioSelect)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.LEDGER_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"文件过大（{upload.size // 1048576} MB），上限 {limit // 1048576} MB；请分村导入")
        try:
            files.extension(upload.name)
        except files.LedgerFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class ExportForm(forms.Form):
    region = forms.CharField(label="区划代码", required=False, max_length=12,
                             help_text="留空为本人全部管辖范围；可填乡镇或村的代码")
    hh_type = forms.ChoiceField(label="户类型", required=False, choices=[("", "全部"), *C.HOUSEHOLD_TYPE.choices()])

    def clean_region(self):
        return self.cleaned_data["region"].strip()
