"""Mask personal data in a resident's message before it is stored for analysts.

Analysts need to read *what* people worry about (ages, money, how long, which city, who in the
family) but never *who* they are or how to reach them. ``mask`` replaces what identifies or
reaches a person with a bracketed token and leaves everything else exactly as typed:

* 〔電話〕 — Japanese phone numbers in any shape (090-1234-5678, 09012345678,
  ０９０ー１２３４ー５６７８, 0836(34)1234, +81 90-…), and short local numbers after 電話/TEL/携帯
  (電話は34-1234). A phone number reaches the person directly.
* 〔メール〕 — e-mail addresses (ASCII local part; full-width ＠ is folded first).
* 〔郵便番号〕 — 〒755-0001, 郵便番号 7550001, and a bare 755-0001: with a street it pins a
  household down; 7 digits after 〒 or 郵便番号 only, a bare one needs the hyphen.
* 〔住所〕 — street-level addresses: a place name followed by 丁目+番地, 番地, 番…号 or a
  hyphenated block number (常盤町1-2-3, 城南町15番地3, 吉原２丁目５−１２), with the building
  and room that follow (サンハイツ201号室), and a building with a room number on its own. The
  prefecture and city in front are *kept* (宇部市〔住所〕): analytics are by city and a city is
  not a person. A district down to 丁目 (常盤町3丁目) is kept: hundreds of households share it.
* 〔氏名〕 — person names: Sudachi's 人名 (姓/名) morphemes; kana (or any proper noun) directly
  before an honorific (さん ちゃん くん 君 様 さま 氏) — さとうさん, ゆきちゃん, 益田さん,
  ｻﾄｳｻﾝ (which Sudachi reads as one word); and the
  words introduced by 名前は… or closed by …と申します / …といいます. Adjacent parts merge
  (山田 花子 → one 〔氏名〕) and the honorific is kept (〔氏名〕さん: analysts see a person was
  named, not who).
* 〔受付番号〕 — ticket references (``bot.tickets.references.REFERENCE_RE``: UBE-2026-000123),
  also in lower case, full width or with ー between the parts: they lead to the ticket.
* 〔LINE ID〕 — LINE user ids (U + 32 hex, ``bot.privacy.logs.LINE_USER_ID``), ids after
  "LINE ID"/ラインID, and @handles.
* 〔生年月日〕 — a birth date, only where a cue says it is one: after 生年月日/誕生日
  (生年月日は昭和45年3月2日) or before 生まれ/生 (1980年5月6日生まれ, H2.4.5生). Ordinary
  dates (4月1日から) stay, and so does a birth year alone (昭和45年生まれ: no more than an age).
* 〔番号〕 — other personal numbers: any run of 7+ digits (マイナンバー, 口座番号, 保険証番号)
  unless it is money (…円/万), and 4+ digits after 口座番号/保険証/マイナンバー/…番号.

Deliberately kept, because they are what the analysis is about: ages (45歳), money (3万円,
300万, 1000000円), durations (10年), dates (4月1日, 2026-04-01), times (9時), counts; the
four cities and any place word without a street number (宇部市, 益田, 久留米, 富士市, 田主丸,
常盤町); family and helper roles (母, 息子, おばあちゃん, ケアマネさん, ヘルパーさん, 大家さん,
民生委員さん, 先生…). Pattern matches run on a normalised copy (NFKC, so full-width digits and
half-width kana count; dashes between digits read as "-") whose every character maps back to
the original, so replacements land on the text exactly as the resident typed it.

``mask`` is pure and deterministic, imports nothing from Rasa, never raises on a string
(a failure inside masks the whole message as 〔非表示〕: failing closed), and is idempotent:
tokens already in the text are left alone and masking is repeated until nothing changes (at
most four passes; the second normally just confirms the first).
Out of scope: numbers spoken in kana (ぜろきゅうぜろ…), names in romaji, a bare surname-like
word with no cue that Sudachi does not know as a name (さとうです).

This module is the entry point and the referee: ``mask_patterns`` finds the shapes,
``mask_names`` the names, ``mask_tokens`` holds the tokens; here the claims are resolved
(shapes first, in their own order, then names; the first claim on a stretch of text wins)
and the replacements are made.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable

from bot.analytics.mask_names import name_spans
from bot.analytics.mask_patterns import shape_claims
from bot.analytics.mask_tokens import (
    ADDRESS,
    BIRTH_DATE,
    EMAIL,
    LINE_ID,
    NAME,
    NUMBER,
    PHONE,
    POSTAL_CODE,
    TICKET,
    TOKENS,
    WITHHELD,
)
from bot.nlu.normalize import normalize_with_offsets

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
    "mask",
]

logger = logging.getLogger(__name__)

_MAX_PASSES = 4

# --- span bookkeeping -----------------------------------------------------------------------


class _Spans:
    """Non-overlapping claimed spans of the original text; the first claim wins."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._items: list[tuple[int, int, str | None]] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start)
        if i > 0 and self._items[i - 1][1] > start:
            return False
        return not (i < len(self._items) and self._items[i][0] < end)

    def claim(self, start: int, end: int, token: str | None) -> bool:
        """Claim ``[start, end)`` for ``token`` (None: keep as typed); False if taken."""
        if start >= end or not self.free(start, end):
            return False
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._items.insert(i, (start, end, token))
        return True

    def replacements(self) -> Iterable[tuple[int, int, str]]:
        return ((s, e, t) for s, e, t in self._items if t is not None)


# --- entry point ----------------------------------------------------------------------------


def _mask_once(text: str) -> str:
    spans = _Spans()
    normalized = normalize_with_offsets(text)
    for start, end, token in shape_claims(normalized):
        spans.claim(start, end, token)
    for start, end in name_spans(text, normalized):
        spans.claim(start, end, NAME)
    parts: list[str] = []
    position = 0
    for start, end, token in spans.replacements():
        parts.append(text[position:start])
        parts.append(token)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _encodable(text: str) -> str:
    """Lone surrogates (from broken JSON) cannot go to Sudachi; one U+FFFD each, same length."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text


def mask(text: str) -> str:
    """``text`` with personal data replaced by 〔電話〕〔メール〕〔住所〕〔氏名〕… tokens.

    Deterministic and idempotent; never raises: if masking fails the whole message is
    withheld (``WITHHELD``), because storing an unchecked message is the worse failure.
    """
    if not isinstance(text, str) or not text:
        return ""
    try:
        current = _encodable(text)
        for _ in range(_MAX_PASSES):
            masked = _mask_once(current)
            if masked == current:
                break
            current = masked
        return current
    except Exception as error:  # fail closed; the text itself is never logged
        logger.warning("Masking failed (%s); message withheld", type(error).__name__)
        return WITHHELD
