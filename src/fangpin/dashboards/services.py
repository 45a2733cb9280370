"""The one write of the dashboards: storing a region's boundary map (audited)."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from fangpin import uploads
from fangpin.audit.services import record
from fangpin.core.geojson import GeoJSONError, MapCheck, check_geojson
from fangpin.dashboards.models import RegionMap
from fangpin.regions.models import Region


def parse_geojson(data: bytes) -> object:
    """Bytes → JSON value, or GeoJSONError with a message that says where the file is broken."""
    try:
        text = uploads.decode_text(data, "边界文件")
    except uploads.UploadRejected as exc:
        raise GeoJSONError([str(exc)]) from None
    if not text.strip():
        raise GeoJSONError(["边界文件是空文件"])
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise GeoJSONError([f"文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"]) from None
    except RecursionError:
        raise GeoJSONError(["文件嵌套层数过深，不是有效的 GeoJSON"]) from None


def do_upload_map(request, region: Region, file_name: str, data: bytes) -> MapCheck:
    """Check the file against the region's live sub-regions and store it (replacing an earlier one)."""
    children = dict(Region.objects.filter(parent_id=region.code, retired=False).values_list("code", "name"))
    checked = check_geojson(parse_geojson(data), children)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        stored, created = RegionMap.objects.update_or_create(region=region, defaults={
            "geojson": checked.geojson, "features": len(checked.matched), "points": checked.points,
            "missing": checked.missing, "file_name": file_name[:200], "sha256": digest,
            "uploaded_by": request.user, "uploaded_at": timezone.now()})
        record(request, "dashboard.map_upload", obj=stored,
               summary=f"{'上传' if created else '替换'} {region.name} 边界图：{len(checked.matched)} 个要素",
               detail={"file": file_name[:200], "sha256": digest, "features": len(checked.matched),
                       "points": checked.points, "missing": checked.missing[:50]})
    return checked
