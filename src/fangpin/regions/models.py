from django.db import models

from fangpin.core.regions import LEVEL_LABELS, Level, full_code


class Region(models.Model):
    """A division unit keyed by its short code (length = level); see fangpin.core.regions."""

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=[(lvl.value, lbl) for lvl, lbl in LEVEL_LABELS.items()])
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               db_constraint=False)
    retired = models.BooleanField("已撤销", default=False)
    # 深度贫困县: the monitored scale may reach 10 % instead of about 5 %.
    deep_poverty = models.BooleanField("深度贫困县", default=False, db_default=False)  # raw bulk loads omit it
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def audit_region_code(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """The name as shown next to a household: a retired unit says so."""
        return f"{self.name}（已撤销）" if self.retired else self.name

    @property
    def full_code(self) -> str:
        return full_code(self.code)

    @property
    def level_enum(self) -> Level:
        return Level(self.level)

    def path_names(self) -> list[str]:
        """Names from the province down to this unit (one query)."""
        from fangpin.core.regions import ancestors

        codes = [*ancestors(self.code), self.code]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        return [names.get(c, c) for c in codes]
