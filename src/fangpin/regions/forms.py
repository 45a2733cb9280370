from django import forms
from django.conf import settings

from fangpin.uploads import human_size


class RegionUploadForm(forms.Form):
    file = forms.FileField(label="区划文件（CSV 或 CSV.gz：code,name[,level]）")
    retire_missing = forms.BooleanField(
        label="此文件是本辖区的完整清单：清单中没有的单位标记为“已撤销”", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".csv.gz", ".txt")):
            raise forms.ValidationError("只接受 .csv 或 .csv.gz 文件")
        limit = settings.LEDGER_MAX_UPLOAD_BYTES
        if upload.size > limit:  # a TooLargeUpload from fangpin.uploads when it went over while streaming
            raise forms.ValidationError(f"文件过大（{human_size(upload.size)}），上限 {human_size(limit)}")
        return upload
