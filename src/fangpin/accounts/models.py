from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

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
    # Set when an administrator creates the account or resets its password: the holder must choose their own.
    must_change_password = models.BooleanField("须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)

    REQUIRED_FIELDS = ["role", "region"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def save(self, *args, **kwargs) -> None:
        changed = self._password is not None
        update_fields = kwargs.get("update_fields")
        if changed and update_fields is not None and "password" in update_fields:
            kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)
        if changed and self.password and self.has_usable_password():
            # The history holds hashes only (as the user row does), newest first; see validators.
            PasswordHistory.objects.create(user=self, password=self.password)
            PasswordHistory.prune(self)

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


class PasswordHistory(models.Model):
    """Hashes of an account's recent passwords (the current one included): no reuse of the last N."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "历史密码"
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created:%Y-%m-%d}"

    @classmethod
    def prune(cls, user) -> int:
        """Keep only the hashes the reuse rule compares against (old hashes are still password material)."""
        keep = max(history_length(), 1)
        stale = list(cls.objects.filter(user=user).values_list("pk", flat=True)[keep:])
        return cls.objects.filter(pk__in=stale).delete()[0] if stale else 0


def history_length() -> int:
    """The ``count`` of the configured PasswordHistoryValidator (0 when it is not configured)."""
    for item in settings.AUTH_PASSWORD_VALIDATORS:
        if item["NAME"].endswith(".PasswordHistoryValidator"):
            return int(item.get("OPTIONS", {}).get("count", 5))
    return 0


class UserSession(models.Model):
    """Which session keys belong to which account, filled at login: disabling an account ends them all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(default=timezone.now)
    ip = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录会话"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.session_key[:6]}…"
