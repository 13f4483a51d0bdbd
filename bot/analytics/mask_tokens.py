"""The 〔…〕 tokens that stand in for personal data in masked messages.

Kept apart from the rules so that the shape rules, the name finder and ``masking.mask`` can
all name the same tokens without importing one another. Analysts see *that* something was
given (a phone, a name) and of which kind, never the value.
"""

from __future__ import annotations

__all__ = [
    "ADDRESS",
    "BIRTH_DATE",
    "EMAIL",
    "LINE_ID",
    "NAME",
    "NUMBER",
    "PHONE",
    "POSTAL_CODE",
    "TICKET",
    "TOKENS",
    "WITHHELD",
]

PHONE = "〔電話〕"
EMAIL = "〔メール〕"
POSTAL_CODE = "〔郵便番号〕"
ADDRESS = "〔住所〕"
NAME = "〔氏名〕"
TICKET = "〔受付番号〕"
LINE_ID = "〔LINE ID〕"
NUMBER = "〔番号〕"
BIRTH_DATE = "〔生年月日〕"
TOKENS = (PHONE, EMAIL, POSTAL_CODE, ADDRESS, NAME, TICKET, LINE_ID, NUMBER, BIRTH_DATE)
#: The whole message, when masking itself failed: never store what could not be checked.
WITHHELD = "〔非表示〕"
