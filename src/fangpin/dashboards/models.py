"""Boundary maps uploaded per region (the dashboards' figures themselves are computed, not stored)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RegionMap(models.Model):
    """The sub-region boundaries of one region, as checked by ``fangpin.core.geojson`` (normalised copy)."""

    region = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="boundary_map",
                                  verbose_name="区划", db_constraint=False)
    geojson = models.JSONField("边界（GeoJSON）")
    features = models.PositiveIntegerField("要素数")
    points = models.PositiveIntegerField("坐标点数")
    missing = models.JSONField("缺少边界的下级区划", default=list, blank=True)
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="上传人",
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "区划边界图"
        verbose_name_plural = "区划边界图"
        ordering = ["region_id"]

    def __str__(self) -> str:
        return f"{self.region_id} 边界图（{self.features} 个要素）"

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class VillageTotals(models.Model):
    """Registered (active) persons per village on a day (``fangpin refresh_dashboards``, nightly).

    The registered population is the one figure that needs a scan of every member; it changes slowly, so
    the dashboards read it from the latest snapshot (and say its date) while every other figure stays live.
    """

    day = models.DateField("日期")
    village = models.CharField("村代码", max_length=12)
    persons = models.PositiveIntegerField("登记人口")

    class Meta:
        verbose_name = "村登记人口快照"
        verbose_name_plural = "村登记人口快照"
        constraints = [models.UniqueConstraint(fields=["day", "village"], name="one_total_per_village_day")]
        indexes = [models.Index(fields=["village", "day"])]

    def __str__(self) -> str:
        return f"{self.village} {self.day}：{self.persons} 人"
