"""Personal data recognisable by its shape: phones, e-mail, postal codes, ticket references,
LINE ids, street addresses, birth dates and other personal numbers.

Separate from the name finder because these need no dictionary, only patterns, and they
decide most of what gets masked. ``shape_claims`` lists every match as ``(start, end, token)``
in the original text, most specific rule first; ``masking`` lets the first claim on a stretch
of text win, so the order below *is* the precedence (an e-mail before the @handle inside it,
a birth date before the plain dates that are kept, a date before the long-number rule).
A token of ``None`` means "keep as typed": tokens already in the text, and ordinary dates.

Patterns run on a working copy of the NFKC-normalised text (full-width digits and letters
folded, dashes between digits read as "-") that has exactly one character per normalised
character, so ``NormalizedText.original_span`` maps every match back onto the text as the
resident typed it. ``bot.privacy.logs`` is reused for the LINE user id but not for phones or
e-mails: its phone look-behind rejects a letter or ':' in front (TEL:090…), and its e-mail
``\\w`` swallows the Japanese words around an address (メールはtaro@… would lose メールは).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.analytics.mask_tokens import (
    ADDRESS,
    BIRTH_DATE,
    EMAIL,
    LINE_ID,
    NUMBER,
    PHONE,
    POSTAL_CODE,
    TICKET,
    TOKENS,
    WITHHELD,
)
from bot.nlu.normalize import NormalizedText
from bot.privacy.logs import LINE_USER_ID
from bot.tickets.references import REFERENCE_RE

__all__ = ["Claim", "shape_claims"]

#: ``(start, end, token)`` in the original text; token ``None`` keeps the stretch as typed.
Claim = tuple[int, int, str | None]

# --- the normalised working copy ------------------------------------------------------------

# Dashes residents put between digits (IME long vowel ー, minus, hyphen variants). NFKC folds
# full-width －; the others survive it, so between digits (or a letter and a digit, as in
# UBEー2026ー000123) they are read as "-". One character for one: offsets stay valid.
_DASHES = frozenset("ー‐‑‒–—―−﹣ｰ")


def _working_copy(normalized: str) -> str:
    chars = list(normalized)
    for i, char in enumerate(chars):
        if char in _DASHES:
            before = chars[i - 1] if i > 0 else ""
            after = chars[i + 1] if i + 1 < len(chars) else ""
            if (before.isascii() and before.isdigit()) or (after.isascii() and after.isdigit()):
                chars[i] = "-"
    return "".join(chars)


# --- shape patterns (on the working copy) ---------------------------------------------------

_EXISTING_TOKEN = re.compile("|".join(re.escape(token) for token in (*TOKENS, WITHHELD)))

# ASCII only on both sides of @: \w would swallow the Japanese words around the address.
# The domain's ending may be missing: 「hanako.tanaka@gmail」 is still someone's address.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
    r"(?![A-Za-z0-9\-])"
)
_TICKET = re.compile(
    rf"(?<![A-Za-z0-9_]){REFERENCE_RE.pattern.lstrip('^').rstrip('$')}(?![0-9])",
    re.IGNORECASE,
)
_LINE_LABELLED = re.compile(
    r"(?:LINE|ライン|らいん)\s?(?:の)?\s?(?:ID|アイディー?|アイデー)\s?(?:は|:|=|→)?\s?"
    r"(?P<value>@?[A-Za-z0-9._\-]{3,20})(?![A-Za-z0-9._\-])",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![A-Za-z0-9._%+\-@])@[A-Za-z0-9._\-]{3,20}(?![A-Za-z0-9._\-])")

_POSTAL_MARKED = re.compile(r"〒\s?[0-9]{3}-?[0-9]{4}(?![0-9])")
_POSTAL_LABELLED = re.compile(
    r"郵便番号(?:は|が|:)?\s?(?P<value>[0-9]{3}-?[0-9]{4})(?![0-9])(?!-[0-9])"
)
_POSTAL_BARE = re.compile(r"(?<![0-9])(?<![0-9]-)[0-9]{3}-[0-9]{4}(?![0-9])(?!-[0-9])")

# A Japanese number: 0 and 9–10 more digits, or +81 and 9–10 digits, with up to two separators
# (hyphen, bracket, dot, space) between digits. The digit count keeps ages, money and years out.
_PHONE = re.compile(
    r"(?<![0-9])(?<![0-9]-)(?:\+81[- ]?(?:\(0\)[- ]?)?|\(?0)[0-9](?:[-(). ]{0,2}[0-9]){8,9}"
    r"(?![0-9])(?!-[0-9])"
)
# The same number written in kanji numerals (〇九〇の一二三四の五六七八), as some residents type
# it on a phone keyboard's kanji conversion: 0 then 9–10 more digits, with の, ー or a dash
# between groups. Eleven kanji digits starting with 〇 are nothing else in a message.
_KANJI_DIGIT = "〇零一二三四五六七八九"
_PHONE_KANJI = re.compile(
    rf"(?<![{_KANJI_DIGIT}])[〇零][{_KANJI_DIGIT}](?:[のノー\- ]?[{_KANJI_DIGIT}]){{8,9}}"
    rf"(?![{_KANJI_DIGIT}])"
)
# A short local number (34-1234) only counts as a phone where the resident says it is one.
_PHONE_LABELLED = re.compile(
    r"(?:電話|でんわ|デンワ|TEL|FAX|携帯|けいたい|ケータイ|ケイタイ|連絡先)(?:番号)?"
    r"(?:は|が|を|:|です|も)?\s?"
    r"(?P<value>\(?[0-9]{2,5}\)?[-( ]?[0-9]{2,4}(?:[-) ]?[0-9]{2,4})?)(?![0-9])",
    re.IGNORECASE,
)

# Street numbers. The alternatives with 丁目/番地/番…号 are addresses on their own; a bare
# hyphenated block number (1-2-3) only when a place name stands right before it.
_KANJI_NUMERAL = "一二三四五六七八九十"
_BLOCK = re.compile(
    rf"(?<![0-9])(?:"
    rf"(?P<chome>(?:[0-9]+|[{_KANJI_NUMERAL}]+)丁目[0-9]+(?:番地?|-)?(?:[0-9]+号?)?)"
    r"|(?P<banchi>[0-9]+番地(?:の?[0-9]+号?)?(?:-[0-9]+)?)"
    r"|(?P<ban>[0-9]+番[0-9]+号?)"
    r"|(?P<hyphen>[0-9]+(?:-[0-9]+){1,3})"
    r")"
)
# Counters after a number mean it is an amount, a range or a date, not a street number.
_COUNTER = re.compile(
    r"(?:円|万|億|千|百|歳|才|年|か月|ヶ月|カ月|ケ月|月|日|時|分|秒|人|名|回|件|個|枚|本|台|"
    r"倍|割|%|点|位|度|週|歩|キロ|km|kg|cm|g|m|ドル|つ|代|世帯|ヵ|ヶ|カ|ケ|~|〜)"
)
_PLACE_CHAR = re.compile(rf"[一-龥々〆ヶケヵァ-ヴー{_KANJI_NUMERAL}]")
_PLACE_MAX = 16
# Kept in front of an address: prefecture, city (and ward) or county. Lazy, so that the first
# 市 closes the city (宇部市常盤町 -> 宇部市 | 常盤町).
_MUNICIPALITY = re.compile(
    r"^(?:[一-龥]{1,3}?[都道府県])?(?:[一-龥ヶケ]{1,5}?[市郡](?:[一-龥]{1,4}?区)?)?"
)
_BUILDING_WORDS = (
    "ハイツ|マンション|アパート|コーポ|レジデンス|ハイム|メゾン|パレス|ヴィラ|ビラ|カーサ|"
    "テラス|コート|ビル|荘|団地|住宅|寮|棟"
)
# A building and room after a street number, or a building with a room number on its own.
_BUILDING_AFTER = re.compile(
    rf"の?\s?(?:[一-龥々ァ-ヴーA-Za-z]*(?:{_BUILDING_WORDS})[一-龥々ァ-ヴーA-Za-z]*)?\s?"
    r"(?:[0-9]+棟\s?)?[0-9]+(?:号室|号|-[0-9]+)|"
    rf"\s?[一-龥々ァ-ヴーA-Za-z]*(?:{_BUILDING_WORDS})[一-龥々ァ-ヴーA-Za-z]*"
)
_BUILDING_ROOM = re.compile(
    rf"(?<![一-龥々ァ-ヴーA-Za-z])[一-龥々ァ-ヴーA-Za-z]{{0,12}}(?:{_BUILDING_WORDS})"
    r"\s?(?:[0-9]+棟\s?)?[0-9]+(?:号室|号)"
)

_NUMBER_LABELLED = re.compile(
    r"(?:口座番号|口座|保険証(?:の)?(?:番号)?|被保険者番号|記号番号|マイナンバー|個人番号|"
    r"受給者証(?:の)?(?:番号)?|年金番号|基礎年金番号|カード番号|会員番号|証番号)"
    r"(?:は|が|:)?\s?(?P<value>[0-9](?:[- ]?[0-9]){3,})(?![0-9])"
)
_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9](?:[- ]?[0-9]){6,}(?![0-9])")
_MONEY_AFTER = re.compile(r"\s?(?:円|万|億|千|ドル)")
# Dates are kept, including the compact and ISO forms that would otherwise look like numbers.
_DATE = re.compile(
    r"(?<![0-9])(?:19|20)[0-9]{2}(?:[-/.][0-9]{1,2}[-/.][0-9]{1,2}|"
    r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))(?![0-9])"
)


# --- birth dates ----------------------------------------------------------------------------

# A date of birth with an age or a district narrows a resident down to a handful of people,
# while an ordinary date (4月1日から, 来週の3日) is what the analysis is about. So a date is
# masked only when a cue says it is a birth date: 生年月日/誕生日 just before it, or
# 生まれ/生 just after it. A birth *year* alone (昭和45年生まれ) is kept: it says no more than
# an age. Eras in kanji or by letter (S45.3.2, H2/4/5), Western years, kanji numerals, 元年.
_ERAS = "明治|大正|昭和|平成|令和"
_KANJI_DIGITS = "〇一二三四五六七八九十"
_SMALL = rf"(?:[0-9]{{1,2}}|[{_KANJI_DIGITS}]{{1,3}})"
_YEAR = rf"(?:(?:西暦)?(?:19|20)[0-9]{{2}}|(?:{_ERAS}|[MTSHR])\s?(?:{_SMALL}|元))"
_WRITTEN_DATE = (
    rf"(?:{_YEAR}\s?年\s?{_SMALL}\s?月(?:\s?{_SMALL}\s?日)?"  # year and month, day optional
    rf"|{_SMALL}\s?月\s?{_SMALL}\s?日)"  # month and day
)
_NUMERIC_DATE = (  # H2.4.5, 1980/5/6, 19800506
    rf"(?:{_YEAR}|[0-9]{{2}})(?P<sep>[-/.])[0-9]{{1,2}}(?P=sep)[0-9]{{1,2}}(?![0-9])"
    r"|(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?![0-9])"
)
_BIRTH_CUE_BEFORE = re.compile(
    r"(?:生年月日|誕生日|たんじょうび|タンジョウビ)[はがもの:=、,\s]{0,3}"
    rf"(?P<value>{_WRITTEN_DATE}|{_NUMERIC_DATE}|[0-9]{{1,2}}/[0-9]{{1,2}}(?![0-9/]))",
    re.IGNORECASE,
)
# 生 on its own only where it does not start another word (H2.4.5生です, not 4月1日生活保護).
_BORN = r"\s?に?\s?(?:生まれ|生れ|産まれ|うまれ|生(?![一-龥々ァ-ヴきけかじ]))"
_BIRTH_CUE_AFTER = re.compile(
    rf"(?<![0-9A-Za-z])(?P<value>{_WRITTEN_DATE}|{_NUMERIC_DATE})(?={_BORN})",
    re.IGNORECASE,
)


# --- the rules ------------------------------------------------------------------------------


def _addresses(work: str) -> Iterable[tuple[int, int]]:
    """Spans of ``work`` that are street addresses (city prefix left out)."""
    for match in _BLOCK.finditer(work):
        end = match.end()
        if _COUNTER.match(work, end):
            continue
        start = match.start()
        place_start = start
        while place_start > 0 and start - place_start < _PLACE_MAX:
            if not _PLACE_CHAR.match(work, place_start - 1):
                break
            place_start -= 1
        if match.group("hyphen") is not None and place_start == start:
            continue  # 1-2 on its own is a range or a score, not an address
        place = work[place_start:start]
        kept = _MUNICIPALITY.match(place)
        if kept is not None and kept.end() > 0:
            place_start += kept.end()
        building = _BUILDING_AFTER.match(work, end)
        if (
            building is not None
            and building.end() > end
            and not _COUNTER.match(work, building.end())
        ):
            end = building.end()
        yield place_start, end


def _claims(
    normalized: NormalizedText,
    matches: Iterable[re.Match[str]],
    token: str | None,
    group: str | int = 0,
) -> Iterator[Claim]:
    for match in matches:
        start, end = match.span(group)
        if start < end:
            yield (*normalized.original_span(start, end), token)


def _digits(value: str) -> int:
    return sum(char.isdigit() for char in value)


def shape_claims(normalized: NormalizedText) -> Iterator[Claim]:
    """Everything recognisable by its shape, most specific first (the order is precedence)."""
    work = _working_copy(normalized.text)
    yield from _claims(normalized, _EXISTING_TOKEN.finditer(work), None)
    yield from _claims(normalized, LINE_USER_ID.finditer(work), LINE_ID)
    yield from _claims(normalized, _EMAIL.finditer(work), EMAIL)
    yield from _claims(normalized, _TICKET.finditer(work), TICKET)
    yield from _claims(normalized, _LINE_LABELLED.finditer(work), LINE_ID, "value")
    yield from _claims(normalized, _HANDLE.finditer(work), LINE_ID)
    yield from _claims(normalized, _POSTAL_MARKED.finditer(work), POSTAL_CODE)
    yield from _claims(normalized, _POSTAL_LABELLED.finditer(work), POSTAL_CODE, "value")
    phones = [m for m in _PHONE_LABELLED.finditer(work) if _digits(m.group("value")) >= 6]
    yield from _claims(normalized, phones, PHONE, "value")
    yield from _claims(normalized, _PHONE.finditer(work), PHONE)
    yield from _claims(normalized, _PHONE_KANJI.finditer(work), PHONE)
    yield from _claims(normalized, _BIRTH_CUE_BEFORE.finditer(work), BIRTH_DATE, "value")
    yield from _claims(normalized, _BIRTH_CUE_AFTER.finditer(work), BIRTH_DATE, "value")
    for start, end in _addresses(work):
        yield (*normalized.original_span(start, end), ADDRESS)
    yield from _claims(normalized, _BUILDING_ROOM.finditer(work), ADDRESS)
    bare_postal = [m for m in _POSTAL_BARE.finditer(work) if not _COUNTER.match(work, m.end())]
    yield from _claims(normalized, bare_postal, POSTAL_CODE)
    yield from _claims(normalized, _DATE.finditer(work), None)
    yield from _claims(normalized, _NUMBER_LABELLED.finditer(work), NUMBER, "value")
    numbers = [m for m in _LONG_NUMBER.finditer(work) if not _MONEY_AFTER.match(work, m.end())]
    yield from _claims(normalized, numbers, NUMBER)
