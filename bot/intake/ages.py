"""Reading an age, however a resident writes it, into the intake's age band.

Residents answer on phones in every script: 「68」「６８」「ｻﾝｼﾞｭｳﾊｯｻｲ」「さんじゅうはっさい」
「六十八歳」「60代」「70過ぎ」「60から70くらい」. Numeral words (kana or kanji) are first turned
into digits by a small grammar (hundreds, tens, units, with the sound changes of counting such
as はっ・じゅっ・ろっぴゃく), so every later rule sees only digits. Each answer becomes a span of
years; the band is the one holding the span's middle, so 「60代」 (60–69) reads as 40〜64歳 and
「60代後半」 as 65歳以上.
"""

from __future__ import annotations

import re
import unicodedata

BANDS: tuple[tuple[int, str], ...] = (
    (19, "19歳以下"),
    (39, "20〜39歳"),
    (64, "40〜64歳"),
    (200, "65歳以上"),
)
CHOICES = tuple(label for _, label in BANDS)
MAX_AGE = 120

_UNITS: dict[str, int] = {
    "いち": 1, "いっ": 1, "一": 1,
    "に": 2, "二": 2,
    "さん": 3, "三": 3,
    "よん": 4, "よ": 4, "し": 4, "四": 4,
    "ご": 5, "五": 5,
    "ろく": 6, "ろっ": 6, "六": 6,
    "なな": 7, "しち": 7, "七": 7,
    "はち": 8, "はっ": 8, "八": 8,
    "きゅう": 9, "く": 9, "九": 9,
}  # fmt: skip
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
_TEN = "じゅう|じゅっ|じっ|じゅ|十"
_HUNDRED = "ひゃく|びゃく|ぴゃく|ひゃっ|百"
_NUMBER_WORDS = re.compile(
    rf"(?:(?P<h>{_UNIT})?(?P<hm>{_HUNDRED}))?(?:(?P<t>{_UNIT})?(?P<tm>{_TEN}))?(?P<u>{_UNIT})?"
)
# A lone unit word (「に」「し」「ご」) is a numeral only right before an age word.
_AGE_WORD = re.compile(r"\s*(?:さい|歳|才|だい|代|すぎ|過ぎ)")

_DECADE = re.compile(r"(\d{1,3})\s*(?:歳|才|さい)?\s*(?:代|だい)\s*(前半|半ば|なかば|後半)?")
_RANGE = re.compile(
    r"(\d{1,3})\s*(?:歳|才|さい|代|だい)?\s*(?:〜|~|-|ー|から|か)\s*(\d{1,3})\s*(代|だい)?"
)
_OVER = re.compile(r"(\d{1,3})\s*(?:歳|才|さい)?\s*(?:過ぎ|すぎ|超|こえ|以上|いじょう)")
_YEARS = re.compile(r"(\d{1,3})\s*(?:歳|才|さい)")
# A bare number (「38」「38です」「80くらい」): only when nothing else is said around it.
_BARE = re.compile(
    r"(?:[^\d\s]{1,6}は)?(?:たぶん|だいたい|大体|約|およそ)?\s*(\d{1,3})\s*"
    r"(?:くらい|ぐらい|位|前後|ほど|です|でした|ですね|だよ|です。|。)*"
)
_AROUND = {
    "還暦": (60, 61),
    "古希": (70, 71),
    "古稀": (70, 71),
    "アラサー": (28, 32),
    "アラフォー": (38, 42),
    "アラフィフ": (48, 52),
}
_YOUNG = re.compile(r"未成年|小学生|中学生|高校生|乳児|幼児|赤ちゃん|赤ん坊|園児")
_HALVES = {"前半": (0, 3), "半ば": (4, 6), "なかば": (4, 6), "後半": (7, 9)}


def to_hiragana(text: str) -> str:
    """Katakana (after NFKC, half-width is full-width) as hiragana, so one grammar reads both."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _number_value(match: re.Match[str]) -> int:
    def unit(name: str, default: int) -> int:
        word = match.group(name)
        return _UNITS[word] if word else default

    hundreds = unit("h", 1) if match.group("hm") else 0
    tens = unit("t", 1) if match.group("tm") else 0
    return hundreds * 100 + tens * 10 + unit("u", 0)


def read_number_words(text: str) -> str:
    """``text`` with kana and kanji numerals in digits (「ろくじゅうはっさい」→「68さい」)."""
    text = to_hiragana(text)
    out: list[str] = []
    pos = 0
    while pos < len(text):
        match = _NUMBER_WORDS.match(text, pos)
        if match and match.end() > pos:
            has_multiplier = bool(match.group("hm") or match.group("tm"))
            if has_multiplier or _AGE_WORD.match(text, match.end()):
                out.append(str(_number_value(match)))
                pos = match.end()
                continue
        out.append(text[pos])
        pos += 1
    return "".join(out)


def normalise(text: str) -> str:
    """NFKC, hiragana, numerals in digits, no spaces around the words."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    return read_number_words(value)


def _span(text: str) -> tuple[int, int] | None:
    """The years the answer covers, or ``None`` when it is not an age."""
    if match := _RANGE.search(text):
        low, high = int(match.group(1)), int(match.group(2))
        return low, high + (9 if match.group(3) else 0)
    if match := _DECADE.search(text):
        decade = int(match.group(1))
        first, last = _HALVES.get(match.group(2) or "", (0, 9))
        return decade + first, decade + last
    if match := _OVER.search(text):
        return int(match.group(1)) + 1, int(match.group(1)) + 9
    if match := _YEARS.search(text):
        return int(match.group(1)), int(match.group(1))
    if match := _BARE.fullmatch(text):
        return int(match.group(1)), int(match.group(1))
    for word, span in _AROUND.items():
        if to_hiragana(word) in text:
            return span
    if _YOUNG.search(text):
        return 0, 19
    return None


def band_of(years: int) -> str:
    return next(label for top, label in BANDS if years <= top)


def read_age(text: str) -> str | None:
    """The age band of an answer, or ``None`` when it says no age."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if value in CHOICES:
        return value
    value = normalise(value)
    if re.search(r"\d{4,}", value):  # a phone number or a year, not an age
        return None
    span = _span(value)
    if span is None or not 0 <= span[0] <= span[1] <= MAX_AGE + 9:
        return None
    return band_of((span[0] + span[1]) // 2)
