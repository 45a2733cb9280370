"""Visit photos: checked by their bytes (JPEG, PNG or WebP, a size limit, a count limit), stored
encrypted outside the database, served only through a scoped and audited view."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import HttpResponse

from fangpin import pii
from fangpin.accounts.access import get_scoped_or_404, require
from fangpin.audit.services import record
from fangpin.cases.models import VisitPhoto, VisitRecord

MAX_PHOTOS = 3
MAX_BYTES = 5 * 1024 * 1024
CONTEXT = pii.SEALED_DIRS["visits"]  # rotate_keys re-seals that folder


def sniff(head: bytes) -> str | None:
    """The image type by magic bytes (the browser's content type and the file name are not trusted)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS images; returns ``[(bytes, content_type)]``."""

    widget = MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", f"现场照片（选填，最多 {MAX_PHOTOS} 张，每张不超过 5 MB）")
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(f"现场照片最多 {MAX_PHOTOS} 张，本次选择了 {len(files)} 张")
        photos = []
        for upload in files:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(f"照片“{upload.name}”超过 5 MB，请压缩后再上传")
            data_bytes = upload.read()
            kind = sniff(data_bytes[:16])
            if kind is None:
                raise forms.ValidationError(f"“{upload.name}”不是 JPEG、PNG 或 WebP 图片")
            photos.append((data_bytes, kind))
        return photos


def _path(stored_name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "visits" / stored_name


def save_photos(visit: VisitRecord, photos: list[tuple[bytes, str]]) -> list[VisitPhoto]:
    """Write each photo encrypted, then its row (inside the caller's transaction)."""
    saved = []
    for data, kind in photos:
        stored = secrets.token_hex(16)
        path = _path(stored)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pii.seal_bytes(data, CONTEXT))
        path.chmod(0o600)
        saved.append(VisitPhoto.objects.create(visit=visit, stored_name=stored, content_type=kind, size=len(data),
                                               sha256=hashlib.sha256(data).hexdigest()))
    return saved


@require("handle_cases")
def photo(request, pk: int, photo_pk: int):
    item = get_scoped_or_404(VisitPhoto.objects.select_related("visit__household"), request.user,
                             "visit__household__village__code", pk=photo_pk, visit_id=pk)
    data = pii.open_bytes(_path(item.stored_name).read_bytes(), CONTEXT)
    record(request, "visit.photo", obj=item, summary=f"查看走访照片（户 {item.visit.household.hh_no}）",
           detail={"visit": pk, "photo": item.pk})
    response = HttpResponse(data, content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response
