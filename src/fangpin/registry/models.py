"""The registry: households, their members and yearly income/expenditure, with change history.

ID numbers and phones are stored encrypted (``*_cipher``) with a blind index for exact
lookup and uniqueness and a masked form for display; see ``fangpin.pii``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from fangpin.core import choices as C
from fangpin.core.income import IncomeYear

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}


class HouseholdQuerySet(models.QuerySet):
    def with_list_columns(self) -> HouseholdQuerySet:
        """Head's name and masked ID and the active member count as columns of one query.

        Subqueries rather than joins, so the page costs the same number of queries at any size
        and member filters (Exists) never multiply rows.
        """
        heads = Member.objects.filter(household=models.OuterRef("pk"), relation="head").order_by("status", "id")
        active = (Member.objects.filter(household=models.OuterRef("pk"), status="active")
                  .order_by().values("household").annotate(n=models.Count("id")).values("n"))
        return self.select_related("village", "village__parent").annotate(
            head_name=models.Subquery(heads.values("name")[:1]),
            head_id_masked=models.Subquery(heads.values("id_masked")[:1]),
            member_count=Coalesce(models.Subquery(active), 0),
        )


class Household(models.Model):
    hh_no = models.CharField("户编号", max_length=32, unique=True)
    # Indexed below: (village, hh_type) serves equality and the region code ranges (scope, code_prefix_q);
    # the pattern index serves the LIKE 'prefix%' filters that remain.
    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="所在村",
                                related_name="households", db_index=False)
    address = models.CharField("住址", max_length=200, blank=True)
    hh_type = models.CharField("户类型", max_length=10, choices=C.HOUSEHOLD_TYPE.choices())
    exit_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)
    is_dibao = models.BooleanField("低保户", default=False)
    is_tekun = models.BooleanField("特困供养户", default=False)
    is_disabled = models.BooleanField("残疾户", default=False)
    housing_safety = models.CharField("住房安全等级", max_length=1, choices=C.HOUSING_SAFETY.choices(), default="A")
    water = models.CharField("饮水安全", max_length=20, choices=C.WATER.choices(), default="safe")
    note = models.CharField("备注", max_length=500, blank=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "农户"
        verbose_name_plural = "农户"
        ordering = ["village_id", "hh_no"]
        # Each index costs every insert (a county's first load writes ~60 k households): only the ones
        # queries use. LIKE 'prefix%' needs the pattern opclass unless the database collation is C.
        indexes = [models.Index(fields=["village", "hh_type"]), models.Index(fields=["hh_type"], name="hh_type_idx"),
                   models.Index(fields=["village"], name="hh_village_prefix_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"户 {self.hh_no}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id


class Member(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members", verbose_name="所在户")
    name = models.CharField("姓名", max_length=50)
    name_initials = models.CharField("姓名拼音首字母", max_length=50, blank=True)
    id_cipher = models.CharField(max_length=120, editable=False)
    id_index = models.CharField(max_length=40, editable=False)  # unique: Meta.constraints
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    sex = models.CharField("性别", max_length=1, choices=[("男", "男"), ("女", "女")])
    birth_date = models.DateField("出生日期")
    relation = models.CharField("与户主关系", max_length=20, choices=C.RELATION.choices())
    phone_cipher = models.CharField(max_length=120, blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    health = models.CharField("健康状况", max_length=10, choices=C.HEALTH.choices(), default="healthy")
    disability_kind = models.CharField("残疾类别", max_length=15, choices=C.DISABILITY_KIND.choices(), blank=True)
    disability_grade = models.CharField("残疾等级", max_length=1, choices=C.DISABILITY_GRADE.choices(), blank=True)
    labour = models.CharField("劳动能力", max_length=5, choices=C.LABOUR.choices(), default="full")
    schooling = models.CharField("在校情况", max_length=12, choices=C.SCHOOLING.choices(), default="none")
    employment = models.CharField("就业状况", max_length=15, choices=C.EMPLOYMENT.choices(), default="farming")
    med_insurance = models.BooleanField("参加基本医保", default=True)
    pension = models.BooleanField("参加养老保险", default=True)
    status = models.CharField("成员状态", max_length=10, choices=C.MEMBER_STATUS.choices(), default="active")
    # 迁出/死亡 keep the row (base data is never deleted); when and why are kept with it.
    status_date = models.DateField("状态变更日期", null=True, blank=True)
    status_note = models.CharField("状态变更说明", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]
        indexes = [models.Index(fields=["name"]),
                   # searched by prefix only (name_initials__startswith)
                   models.Index(fields=["name_initials"], name="member_initials_prefix_idx",
                                opclasses=["varchar_pattern_ops"])]
        # A constraint rather than unique=True: the blind index is only ever compared whole, and
        # unique=True also built a second (LIKE) index on PostgreSQL that every insert paid for.
        constraints = [models.UniqueConstraint(fields=["id_index"], name="uniq_member_id_index")]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id


class HouseholdYear(models.Model):
    """One year's income and expenditure of a household (yuan)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="years", verbose_name="所在户",
                                  db_index=False)  # uniq_household_year leads with it
    year = models.PositiveSmallIntegerField("年度")
    wage = models.DecimalField("工资性收入", **MONEY)
    business = models.DecimalField("生产经营性收入", **MONEY)
    property_income = models.DecimalField("财产性收入", **MONEY)
    transfer = models.DecimalField("转移性收入", **MONEY)
    production_cost = models.DecimalField("生产经营性支出", **MONEY)
    medical_oop = models.DecimalField("医疗自付支出", **MONEY)
    schooling_exp = models.DecimalField("教育支出", **MONEY)
    disaster_loss = models.DecimalField("灾害损失", **MONEY)
    accident_exp = models.DecimalField("意外事故支出", **MONEY)

    class Meta:
        verbose_name = "年度收支"
        verbose_name_plural = "年度收支"
        ordering = ["household_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="uniq_household_year")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} 年收支"

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id

    def as_core(self) -> IncomeYear:
        return IncomeYear(
            year=self.year, wage=self.wage, business=self.business, property_income=self.property_income,
            transfer=self.transfer, production_cost=self.production_cost, medical_oop=self.medical_oop,
            schooling_exp=self.schooling_exp, disaster_loss=self.disaster_loss, accident_exp=self.accident_exp,
        )


class ChangeRecord(models.Model):
    """History of every change to registry records: field, old value, new value.

    Sensitive fields are recorded as changed without their values (masked forms only).
    """

    ACTIONS = [("create", "新增"), ("update", "修改"), ("remove", "移除")]

    ts = models.DateTimeField("时间", db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             verbose_name="操作人")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes", verbose_name="户",
                                  db_index=False)  # the (household, ts) index leads with it
    object_type = models.CharField("对象", max_length=20)
    object_id = models.BigIntegerField("对象ID")
    object_label = models.CharField("对象名称", max_length=100, blank=True)
    action = models.CharField("动作", max_length=10, choices=ACTIONS)
    changes = models.JSONField("变更内容", default=dict)
    source = models.CharField("来源", max_length=60, blank=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-ts", "-id"]
        indexes = [models.Index(fields=["household", "ts"])]

    def __str__(self) -> str:
        return f"{self.ts:%Y-%m-%d} {self.get_action_display()} {self.object_label}"
