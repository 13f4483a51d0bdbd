"""Masking of personal data for logs and analytics.

Residents' contacts and names must never reach a log line or an analytics export in clear.
``mask`` keeps just enough to let staff recognise a value they already know (the last two
digits of a phone, the first letter and domain of an e-mail) and nothing more.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

NAME_MASK = "＊＊"
Kind = Literal["auto", "phone", "email", "name"]

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Loose on purpose: Japanese numbers are written 090-1234-5678, 0836(21)1234, 09012345678…
_PHONE_RE = re.compile(r"\+?\d[\d\-‐－ー() ]{7,}\d")


def mask(value: str | None, kind: Kind = "auto") -> str:
    """Mask one value: phone → ``090-****-**78``, e-mail → ``a***@example.com``, name → ``＊＊``.

    ``kind="auto"`` guesses from the shape; anything it cannot classify is treated as a name,
    i.e. fully hidden, because guessing wrong must fail closed.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", value).strip()
    if kind == "auto":
        if "@" in text:
            kind = "email"
        elif sum(ch.isdigit() for ch in text) >= 10:
            kind = "phone"
        else:
            kind = "name"
    if kind == "email":
        return _mask_email(text)
    if kind == "phone":
        return _mask_phone(text)
    return NAME_MASK


def mask_text(text: str | None) -> str:
    """Mask phone numbers and e-mail addresses inside free text (names cannot be found)."""
    if not text:
        return ""
    normalized = unicodedata.normalize("NFKC", text)
    normalized = _EMAIL_RE.sub(lambda m: _mask_email(m.group()), normalized)
    return _PHONE_RE.sub(lambda m: _mask_phone(m.group()), normalized)


def _mask_email(text: str) -> str:
    local, sep, domain = text.rpartition("@")
    if not sep or not local or "." not in domain:
        return NAME_MASK
    return f"{local[0]}***@{domain}"


def _mask_phone(text: str) -> str:
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) < 8:
        return "".join("*" if ch.isdigit() else ch for ch in text)
    hidden = set(digits[3:-2])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))
