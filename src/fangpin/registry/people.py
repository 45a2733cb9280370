"""Turning a validated person into stored columns: encrypted, indexed, masked, searchable."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from fangpin import pii
from fangpin.core.idcard import IdNumber, mask_phone


@lru_cache(maxsize=50_000)
def name_initials(name: str) -> str:
    """张三丰 → zsf; used for the list search box (offices type initials on phones)."""
    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()


def id_columns(idn: IdNumber) -> dict[str, object]:
    return {
        "id_cipher": pii.encrypt(idn.value),
        "id_index": pii.id_index(idn.value),
        "id_masked": idn.masked,
        "sex": idn.sex,
        "birth_date": idn.birth_date,
    }


def phone_columns(phone: str) -> dict[str, str]:
    phone = (phone or "").strip()
    return {"phone_cipher": pii.encrypt(phone), "phone_masked": mask_phone(phone) if phone else ""}
