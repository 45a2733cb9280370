from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from fangpin.core import roles
from fangpin.core.regions import Level


class User(AbstractUser):
    """One role and one region per account: the region bounds everything the user can see."""

    role = models.CharField("角色", max_length=20, choices=roles.ROLE_CHOICES)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="所属区划",
                               related_name="users")
    department_kind = models.CharField("部门类别", max_length=30, blank=True,
                                       choices=roles.DEPARTMENT_KIND_CHOICES)
    display_name = models.CharField("姓名", max_length=50, blank=True)

    REQUIRED_FIELDS = ["role", "region"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_spec(self) -> roles.RoleSpec:
        return roles.spec(self.role)

    @property
    def scope_code(self) -> str:
        return self.region_id

    def can(self, permission: str) -> bool:
        return self.is_active and bool(self.role) and roles.can(self.role, permission)

    def clean(self) -> None:
        super().clean()
        if self.role and self.region_id and not roles.region_level_ok(self.role, Level(self.region.level)):
            wanted = roles.spec(self.role).level
            raise ValidationError({"region": f"{roles.spec(self.role).label}账户的所属区划应为{wanted.label}级"})
        if self.role == roles.Role.DEPARTMENT and not self.department_kind:
            raise ValidationError({"department_kind": "部门账户须指定部门类别"})
