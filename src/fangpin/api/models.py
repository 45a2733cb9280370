"""Personal API tokens: only a SHA-256 hash of the secret is stored; the secret is shown once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens",
                             verbose_name="用户")
    name = models.CharField("用途说明", max_length=60)
    prefix = models.CharField("令牌前缀", max_length=16, editable=False)  # shown to tell tokens apart
    key_hash = models.CharField(max_length=64, unique=True, editable=False)  # sha256 hex of the whole token
    created = models.DateTimeField("创建时间", auto_now_add=True)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)
    expires = models.DateTimeField("到期时间", null=True, blank=True)
    revoked = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def usable(self, now: dt.datetime) -> bool:
        return self.revoked is None and (self.expires is None or self.expires > now)
