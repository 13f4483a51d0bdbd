"""Rule layer for questions about a window the bot has just shown (土曜日も？ 電話番号は？).

Why rules: after a window is shown, residents ask short practical questions (days and hours,
phone, where it is and how to get there, whether to book, what to bring, the city hall's
number). They are few kinds with telling words, written in every spelling, and a model trained
on a few dozen examples mixes them up with worries (「夜眠れない」 is not a question about
opening hours). So the facets are read from cue words on normalised text: NFKC, katakana folded
to hiragana (ヨヤク = よやく), Latin lower-cased. Patterns are written in hiragana and kanji.

Judgement calls (tests pin them down):

* a facet needs its topic word *and* something that asks: 「夜は？」「夜もやってる？」 ask, but
  「夜なら大丈夫です」 (an answer to the intake's "when may we call?") does not;
* a message carrying a phone number (the resident's own, in the intake) is never a question;
* 「どこに相談すれば」 asks for a window, not for an address: only 「どこ」 about a place counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlu.normalize import katakana_to_hiragana, normalize_with_offsets

__all__ = [
    "FACETS",
    "WindowQuestion",
    "detect_window_question",
    "normalise",
]

#: The facets, in the order an answer lists them.
FACETS: tuple[str, ...] = ("hours", "phone", "address", "booking", "bring", "cityhall")

# Something in the message asks: a question mark, a question ending, or a verb of asking.
_ASKS = re.compile(
    r"[?？]|(?:か|かな|かね|かしら|っけ|の|ん|のん|と|や|け|る|ます|です|いい|ある|いる|は)"
    r"[\s。、.!！wｗ〜~ー…・]*$|おしえて|教えて|知りたい|しりたい|わかる|分かる|わかります|"
    r"きき(たい|ます)|聞きたい|何|なに|なん|どこ|いつ|どう"
)

# Hours: the topic, and words that already ask about it (何時まで, いつ開いて).
_HOURS_TOPIC = re.compile(
    r"何時|なんじ|時間|じかん|営業|受付|うけつけ|開いて|あいて|空いて|開く|閉ま|しまる|"
    r"しまっ|やって|やっと|やってる|開庁|土曜|どよう|日曜|にちよう|土日|どにち|週末|しゅうまつ|"
    r"祝日|しゅくじつ|祭日|休日|きゅうじつ|休み|やすみ|平日|へいじつ|曜日|ようび|夜|よる|夕方|"
    r"ゆうがた|朝|あさ|昼|ひる|年末|正月|いつまで|いつから|いつなら|いつ行|いついけ|いつでも"
)
_HOURS_ASKS = re.compile(
    r"[?？]|何時|なんじ|いつ|やって|やっと|開いて|あいて|空いて|開く|閉ま|しまる|しまっ|"
    r"営業|受付時間|うけつけじかん|対応|相談でき|行け|いけ|電話でき|かけられ|つなが|繋が|"
    r"(?:は|も)[\s。、.!！wｗ〜~ー…]*$"
)

_PHONE = re.compile(
    r"電話|でんわ|番号|ばんごう|ばんご|連絡先|れんらくさき|tel|てる番|ふりーだいやる"
)
# Asking to be called, saying one phoned, or choosing the phone (the intake's "how may we
# contact you?") is not asking for the number.
_PHONE_NOT_ASKING = re.compile(
    r"電話(?:して|をして|で話|で相談)?(?:ほしい|欲しい|ください|下さい)|電話(?:しました|した|かけた)|"
    r"電話(?:で|が|の方が|のほうが)(?:お願い|おねがい|いい|大丈夫|結構|連絡|助か|たすか)"
)

_ADDRESS = re.compile(
    r"住所|じゅうしょ|場所|ばしょ|どこに?あ|どこで(?:す|しょ)|どこ(?:に|へ)行|どこいけ|どこ[?？]|"
    r"どこ(?:なの|なん|や|にある|だ)|行き方|いきかた|行きかた|道順|みちじゅん|あくせす|"
    r"地図|ちず|ばす|電車|でんしゃ|駅|えき|駐車場|ちゅうしゃじょう|ちゅうしゃ|車で|くるまで|"
    r"歩いて|あるいて|最寄|もより|近く|ちかく|何階|なんかい|どの建物|建物"
)
# 「どこに相談すれば」「どこに電話」 ask for a window or a number, not for a place.
_WHERE_NOT_PLACE = re.compile(r"どこ(?:に|へ|で|か)?(?:相談|そうだん|電話|でんわ|聞|き|頼|連絡)")

_BOOKING = re.compile(
    r"予約|よやく|あぽ|いきなり|直接行|ちょくせつ行|ちょくせつい|飛び込み|とびこみ|"
    r"前もって|まえもって|事前|じぜん|急に行|突然行"
)
_BRING = re.compile(
    r"持ち物|もちもの|持って(?:い|行|く|け)|もって(?:い|く|け)|持参|じさん|必要なもの|必要な物|"
    r"ひつようなもの|いるもの|要るもの|いる物|要る物|書類|しょるい|印鑑|いんかん|はんこ|"
    r"保険証|ほけんしょう|身分証|みぶんしょう|通帳|つうちょう|まいなんばー"
)
_CITYHALL = re.compile(r"市役所|しやくしょ|役所|やくしょ|市庁舎|代表番号|代表の番号|だいひょう")

# A phone number in the message: the resident's own (an intake answer), never a question.
_PHONE_NUMBER = re.compile(r"\d{2,5}[-(（)）\s]?\d{1,4}[-)）\s]?\d{3,4}|\d{10,11}")

# Words that tie a question to the window just shown (used when a worry was also found).
_WINDOW_REFERENCE = re.compile(
    r"窓口|まどぐち|そこ|そちら|さっき|先ほど|さきほど|上の|うえの|相談先|そうだんさき|"
    r"せんたー|役所|やくしょ|事務所|支援課|福祉課"
)

#: Questions longer than this are more likely a worry told at length than a practical question.
MAX_QUESTION_LENGTH = 60


# The days a question names (「土曜日も？」「祝日は？」): the answer says yes or no for them first.
_DAYS = {
    "saturday": re.compile(r"土曜|どよう|土日|どにち|週末|しゅうまつ"),
    "sunday": re.compile(r"日曜|にちよう|土日|どにち|週末|しゅうまつ"),
    "holiday": re.compile(r"祝日|しゅくじつ|祭日|さいじつ|休日|きゅうじつ|祝祭日|連休|れんきゅう"),
    # Not a day: 「何時まで？」 asks when the window closes, answered with that time first.
    "closing": re.compile(
        r"(?:何時|なんじ|いつ)(?:ごろ|頃|くらい|ぐらい)?まで|(?:何時|なんじ)に(?:閉|しま|終|おわ)"
    ),
}


@dataclass(frozen=True)
class WindowQuestion:
    """The facets a message asks about, whether it points at the window just shown, and the
    days it names (saturday, sunday, holiday, or closing for 「何時まで」) when it asks about
    hours."""

    facets: tuple[str, ...]
    refers_to_window: bool
    days: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """NFKC, katakana as hiragana, Latin lower-cased: the form the patterns are written in."""
    return katakana_to_hiragana(normalize_with_offsets(text).text).lower()


def _facets(text: str) -> list[str]:
    found: list[str] = []
    if _HOURS_TOPIC.search(text) and _HOURS_ASKS.search(text):
        found.append("hours")
    if _PHONE.search(text) and not _PHONE_NOT_ASKING.search(text):
        found.append("phone")
    if _ADDRESS.search(text) and not _WHERE_NOT_PLACE.search(text):
        found.append("address")
    if _BOOKING.search(text):
        found.append("booking")
    if _BRING.search(text):
        found.append("bring")
    if _CITYHALL.search(text):
        found.append("cityhall")
    return found


def detect_window_question(text: str) -> WindowQuestion | None:
    """The facets ``text`` asks about, or None when it is not a question about a window.

    The caller decides what wins over what (a crisis always, a worry unless the question
    points at the window); this function only reads the words.
    """
    folded = normalise(text).strip()
    if not folded or len(folded) > MAX_QUESTION_LENGTH or _PHONE_NUMBER.search(folded):
        return None
    facets = _facets(folded)
    if not facets or not _ASKS.search(folded):
        return None
    ordered = tuple(f for f in FACETS if f in facets)
    days = tuple(d for d, p in _DAYS.items() if p.search(folded)) if "hours" in facets else ()
    return WindowQuestion(ordered, bool(_WINDOW_REFERENCE.search(folded)), days)
