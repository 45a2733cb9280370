"""Turning a validated person into stored columns: encrypted, indexed, masked, searchable."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from fangpin import pii
from fangpin.core.idcard import IdNumber, mask_phone

_LETTERS: dict[str, str] = {}


def name_initials(name: str) -> str:
    """张三丰 → zsf; used for the list search box (offices type initials on phones).

    Character by character with a memo, so the form and a 200 k-row import give the same letters
    and the import does not pay for pinyin per distinct name.
    """
    out = []
    for char in name:
        letter = _LETTERS.get(char)
        if letter is None:
            pinyin = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
            letter = _LETTERS[char] = (pinyin[0][:1] if pinyin else "").lower()
        out.append(letter)
    return "".join(out)


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
