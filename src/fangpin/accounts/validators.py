"""Password validators (Django's AUTH_PASSWORD_VALIDATORS) with Chinese messages.

Length, common passwords and similarity are Django's own (translated); these add character classes and
the history of recent passwords."""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", lambda c: c.isascii() and c.isupper()),
    ("小写字母", lambda c: c.isascii() and c.islower()),
    ("数字", lambda c: c.isascii() and c.isdigit()),
    ("符号", lambda c: c in string.punctuation or c == " " or not c.isascii()),
)


def classes_in(password: str) -> int:
    return sum(1 for _label, test in CLASSES if any(test(c) for c in password))


class CharacterClassesValidator:
    """At least ``min_classes`` of: upper case, lower case, digit, symbol."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        found = classes_in(password)
        if found < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类（当前 {found} 类）",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类"


class PasswordHistoryValidator:
    """The new password may not be any of the account's last ``count`` passwords (compared by hash)."""

    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password: str, user=None) -> None:
        if self.count <= 0 or user is None or not getattr(user, "pk", None):
            return
        from fangpin.accounts.models import PasswordHistory, User

        hashes = list(PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)
                      [: self.count])
        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current and current not in hashes:
            hashes.append(current)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(f"新密码不能与最近 {self.count} 次使用过的密码相同", code="password_reused")

    def get_help_text(self) -> str:
        return f"不能与最近 {self.count} 次使用过的密码相同"


class MinimumLengthValidator:
    """Django's rule with a Chinese message (Django 5.2's wording has no zh-hans translation)."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短：至少 {self.min_length} 个字符（当前 {len(password)} 个）",
                                  code="password_too_short")

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符"
