from __future__ import annotations

from django import forms

from fangpin.uploads import human_size, limits

MAP_MAX_BYTES = 10 * 1024 * 1024  # a map is sent whole to every browser that shows it


def map_limit() -> int:
    return min(MAP_MAX_BYTES, limits().max_bytes)


class MapUploadForm(forms.Form):
    region = forms.CharField(label="区划代码", max_length=12,
                             help_text="上传哪个区划的下级边界：如县级代码 130633 对应各乡镇的边界")
    file = forms.FileField(label="边界文件（GeoJSON，.geojson 或 .json）")

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
            raise forms.ValidationError("区划代码应为 2、4、6、9 位数字（省、市、县、乡镇）")
        return code

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".geojson", ".json")):
            raise forms.ValidationError("只接受 .geojson 或 .json 文件")
        limit = map_limit()
        if upload.size > limit:  # also a TooLargeUpload from fangpin.uploads when it went over while streaming
            raise forms.ValidationError(f"文件过大（{human_size(upload.size)}），边界图上限 {human_size(limit)}："
                                        "请先简化边界后再上传")
        return upload
