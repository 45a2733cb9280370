"""Contact numbers as offices write them: an 11-digit mobile or a landline. Standard library only.

The registry form and the ledger import share this rule, so a number accepted in one is
accepted in the other, stored in one normal form.
"""

from __future__ import annotations

import re

from fangpin.core.digits import ascii_text, is_ascii_digits

_NOISE = re.compile(r"[\s\u3000\-－—()（）]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")  # 7–8 digit local number, no area code


class PhoneError(ValueError):
    """``str(err)`` is the Chinese explanation (it never repeats the full number)."""


def normalise_phone(raw: object) -> str:
    """Return ``13812345678``, ``0312-8212345`` or a local ``8212345``; "" for empty input."""
    if raw is None:
        return ""
    text = _NOISE.sub("", ascii_text(str(raw)))  # full-width digits typed with an input method
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if not text:
        return ""
    if not is_ascii_digits(text):
        raise PhoneError("联系电话只能包含数字（可带区号和“-”）")
    if text.startswith("1"):
        if _MOBILE.match(text):
            return text
        raise PhoneError(f"手机号应为以 13–19 开头的 11 位数字，实际 {len(text)} 位")
    if text.startswith("0"):
        return _landline(text)
    if _LOCAL.match(text):
        return text
    raise PhoneError("联系电话应为 11 位手机号或固定电话（区号 + 7–8 位号码）")


def _landline(text: str) -> str:
    # Area codes: 010 and 02x are three digits with the 0, all others four (0312 保定).
    area_len = 3 if text[1] in "12" else 4
    area, number = text[:area_len], text[area_len:]
    if not _LOCAL.match(number):
        raise PhoneError(f"固定电话区号 {area} 后应为 7–8 位号码")
    return f"{area}-{number}"
