"""Digits as offices type them. Standard library only.

A Chinese input method in full-width mode types １３０６… and Ｘ: the same ID number, phone or region
code, but a different string to every index, blind index and department match unless made ASCII.
``str.isdigit`` alone also accepts ٣, ३ and 𝟑, which no ID number, phone or code contains.
"""

from __future__ import annotations

FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ－＋", "0123456789Xx-+")


def ascii_text(raw: str) -> str:
    """Full-width digits, X, hyphen and plus as their ASCII forms; everything else unchanged."""
    return raw.translate(FULLWIDTH)


def is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
