"""The dashboards' writes: a region's boundary map (audited) and the nightly registry totals."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fangpin import uploads
from fangpin.accounts.access import code_prefix_q
from fangpin.audit.services import record, record_system_event
from fangpin.core.geojson import GeoJSONError, MapCheck, check_geojson
from fangpin.dashboards.models import RegionMap, VillageTotals
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


def do_snapshot_totals(day: dt.date, region: str = "") -> int:
    """Active persons per village under ``region`` ("" = everywhere) as of now, stored for ``day`` (replacing
    that day's rows there): one grouped query. Returns the number of villages written."""
    from fangpin.registry.models import Member

    persons = (Member.objects.filter(code_prefix_q("household__village_id", region), status="active")
               .values("household__village_id").annotate(n=Count("id"))
               .values_list("household__village_id", "n").order_by())
    rows = [VillageTotals(day=day, village=v, persons=n) for v, n in persons]
    with transaction.atomic():
        VillageTotals.objects.filter(code_prefix_q("village", region), day=day).delete()
        VillageTotals.objects.bulk_create(rows, batch_size=5000)
        record_system_event("dashboard.snapshot", summary=f"看板登记人口快照 {day}：{len(rows)} 个村",
                            detail={"day": day.isoformat(), "region": region, "villages": len(rows)})
    return len(rows)
