"""Access walk of the department-data pages."""

from __future__ import annotations

from tests.walk import Case


def _dataset(world, village):
    """A dataset held by the village's region (so scope checks have something to refuse)."""
    from fangpin.datasets.models import Dataset

    key = ("dataset", village)
    if key not in world.extra:
        world.extra[key] = Dataset.objects.create(
            region_id=village, kind="medical_insurance", original_name=f"医保-{village}.csv", sha256=village * 5,
            rows_total=1, rows_invalid=1, errors=[[2, "个人自付", "不能为空"]], uploaded_by=world.users["county"])
    return world.extra[key]


WALK = {
    "datasets:list": Case("list", lambda w, v: ({}, "", _dataset(w, v).original_name), permission="upload_datasets"),
    # without a file waiting for its mapping the page sends the user back to the list
    "datasets:mapping": Case("page", lambda w, v: {}, permission="upload_datasets", ok_status=(302,)),
    "datasets:template": Case("page", lambda w, v: {"kind": "medical_insurance"}, permission="upload_datasets"),
    "datasets:detail": Case("object", lambda w, v: {"pk": _dataset(w, v).pk}, permission="upload_datasets"),
    "datasets:errors": Case("object", lambda w, v: {"pk": _dataset(w, v).pk}, permission="upload_datasets"),
}
