"""How free-text answers are read into the intake's values.

Residents answer by button or in their own words, on a phone, sometimes in full-width digits
or kana. Each reader returns the normalised value, or ``None`` when the answer does not fit
(the form then asks once more, and after two misses leaves the field empty).
"""

from __future__ import annotations

import re
import unicodedata

from bot.intake import ages, household

MAX_FREE_TEXT = 200
MAX_NAME = 30

_FAMILY = (
    r"家族|かぞく|息子|むすこ|娘|むすめ|母|はは|父|ちち|夫|おっと|妻|つま|兄|姉|弟|妹"
    r"|祖父|祖母|親|子ども|子供|こども|孫|まご|おじ|おば|配偶者|旦那|嫁"
)
_ACQUAINTANCE = r"知人|近所|きんじょ|友人|友達|ともだち|知り合い|しりあい|隣|となり"
_ABOUT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("本人", r"本人|ほんにん|自分|じぶん|わたし|私|僕|ぼく|俺|おれ|うち"),
    ("家族", _FAMILY),
    ("知人・近所", _ACQUAINTANCE),
)
# 「うちの息子です」「私の母のこと」: the self word says whose family member it is. Dropped
# before reading, so the person named is the one in trouble (「うちの子」 is a child too).
_WHOSE = re.compile(
    rf"(?:自分|じぶん|わたし|わたくし|私|僕|ぼく|俺|おれ|うち|あたし)の(?=(?:{_FAMILY}|{_ACQUAINTANCE}|子))"
)
_OUR_CHILD = re.compile(r"うちの子|私の子|わたしの子|自分の子|じぶんの子")
# "Not in a hurry" is read first: 「急いでないです」 holds 急いで. Sooner than the week (明日, 今夜,
# できるだけ早く) counts as 今日中: staff would rather call a day early than a day late. 今 is
# 今日中 only on its own (今すぐ): 今週 was read as 今日中, 今度 and 今月 too.
_URGENCY_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "急がない",
        r"急がな|いそがな|急いでな|いそいでな|急ぎじゃな|いそぎじゃな|急ぎではな|急ぎません|"
        r"いつでも|ゆっくり|あとで|後で|落ち着いて|おちついて|特に(?:ない|なし)|"
        r"せんでいい|せんでよか|せんでええ|せんでも|しなくていい|しなくても|なくてもいい",
    ),
    (
        "今日中",
        r"今日|きょう|すぐ|至急|しきゅう|急いで|いそいで|急ぎ|いそぎ|早く|はやく|早め|はやめ|"
        r"今夜|こんや|今晩|こんばん|明日|あした|あす|いま|今(?![週度月年])|大至急|なるべく早|"
        r"できるだけ早|はよう|はよ|早よ|早う",  # はよう: 早く in the west's dialects
    ),
    (
        "今週中",
        r"今週|こんしゅう|数日|すうじつ|近いうち|ちかいうち|週|しゅう|来週|らいしゅう|"
        r"[2-3二三]、?[3-4三四]?日|何日か|なんにちか|月曜|火曜|水曜|木曜|金曜|土曜|日曜",
    ),
    # Later than the week, read last: 「来月の家賃が払えないので、なるべく早めに」 is 今日中.
    ("急がない", r"今度|こんど|今月|こんげつ|来月|らいげつ"),
)
_METHOD_PATTERNS: tuple[tuple[str, str], ...] = (
    ("電話", r"電話|でんわ|tel|携帯|けいたい"),
    ("メール", r"メール|めーる|mail|eメール"),
    ("LINE", r"line|ライン|らいん"),
    ("窓口に行く", r"窓口|まどぐち|行く|いく|行きます|来所|直接"),
)
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


def clean(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII) and trimmed.

    A button payload (an old button pressed again, e.g. "/affirm") is not an answer.
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    return "" if value.startswith("/") else value


def _first_match(text: str, patterns: tuple[tuple[str, str], ...]) -> str | None:
    # Katakana (and half-width ｷｮｳ after NFKC) as hiragana: the patterns are written in it.
    lowered = ages.to_hiragana(clean(text)).lower()
    for value, pattern in patterns:
        if re.search(pattern, lowered):
            return value
    return None


def read_about(text: str) -> str | None:
    """本人, 家族 or 知人・近所; a family member with a possessive (「うちの息子」) is 家族."""
    lowered = ages.to_hiragana(clean(text)).lower()
    if _OUR_CHILD.search(lowered):
        return "家族"
    return _first_match(_WHOSE.sub("", lowered), _ABOUT_PATTERNS)


_OTHER_PERSON = _ABOUT_PATTERNS[1][1] + "|" + _ABOUT_PATTERNS[2][1]
_OTHER_SUBJECT = re.compile(rf"(?:{_OTHER_PERSON})(?:さん|ちゃん|くん)?(?:が|は|について|のこと)")
_SELF = re.compile(r"本人|自分|じぶん|わたし|わたくし|私|僕|ぼく|俺|おれ|あたし|うち(?!の)")


def about_whom(about: str | None, told: list[str]) -> str | None:
    """ "self" or "other": whose worry it is, from the answer to the first question or, before
    it (or when it was skipped), from the worry as told; ``None`` when that says neither."""
    if about == "本人":
        return "self"
    if about in ("家族", "知人・近所"):
        return "other"
    said = " ".join(ages.to_hiragana(clean(text)) for text in told)
    if _OTHER_SUBJECT.search(said):
        return "other"
    if _SELF.search(said):
        return "self"
    if re.search(_OTHER_PERSON, said):
        return "other"
    return None


def read_urgency(text: str) -> str | None:
    return _first_match(text, _URGENCY_PATTERNS)


def read_contact_method(text: str) -> str | None:
    return _first_match(text, _METHOD_PATTERNS)


def read_age(text: str) -> str | None:
    """The age band, from a band, an age, a decade or a range, in any script (``ages``)."""
    return ages.read_age(clean(text))


def read_household(text: str) -> str | None:
    """Who the resident lives with, in their words; ``None`` for answers about other things."""
    return household.read_household(clean(text))


def read_free_text(text: str, limit: int = MAX_FREE_TEXT) -> str | None:
    value = " ".join(clean(text).split())
    return value if 0 < len(value) <= limit else None


def read_name(text: str) -> str | None:
    return read_free_text(text, MAX_NAME)


def read_phone(text: str) -> str | None:
    """A Japanese phone number (10 or 11 digits, starting with 0), hyphenated for reading."""
    digits = re.sub(r"[\s\-‐－ー−()（）]", "", clean(text))
    mobile = re.fullmatch(r"0[5789]0\d{8}", digits)  # 11 digits: mobile and IP phones
    toll_free = re.fullmatch(r"0120\d{6}|0800\d{7}", digits)
    landline = re.fullmatch(r"0(?![5789]0)\d{9}", digits)  # 10 digits with the area code
    if not (mobile or toll_free or landline):
        return None
    if len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return digits


def read_email(text: str) -> str | None:
    value = clean(text)
    return value if len(value) <= 200 and _EMAIL.match(value) else None


def read_contact_value(method: str | None, text: str) -> str | None:
    if method == "電話":
        return read_phone(text)
    if method == "メール":
        return read_email(text)
    return read_free_text(text, 100)


def read_yes_no(text: str) -> bool | None:
    value = clean(text).lower()
    if re.search(r"同意しない|いいえ|いやです|だめ|ダメ|やめ|no\b|しない", value):
        return False
    if re.search(r"同意|はい|いいよ|いいです|お願い|おねがい|ok|yes|大丈夫|だいじょうぶ", value):
        return True
    return None
