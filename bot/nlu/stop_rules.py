"""Rule layer for a resident who wants to stop (「やめます」「キャンセル」「もういいです」).

Why rules: in the intake form every question takes free text, so a typed 「やめる」 was saved as
the answer (a name, a household) and the next question came, again and again. Wanting to stop
is said in few ways, short, with telling words; a rule catches every spelling (ヤメル, ｷｬﾝｾﾙ,
やめときます) before the form reads the text as an answer, and the dialogue ends the form
(``data/rules.yml``: ``stop``).

Deliberately narrow:

* the whole short message must be the wish to stop: 「仕事をやめた」 is a worry, not a request;
* wishes that could be about living (「もう終わりにしたい」「もうやめたい」) are never read here;
  the crisis component runs after this one and its decision is final anyway;
* 「いいです」「結構です」 alone are left to the model: they also mean yes.
"""

from __future__ import annotations

import re

from bot.nlu.normalize import katakana_to_hiragana, normalize_with_offsets

__all__ = ["MAX_STOP_CHARS", "is_stop_request"]

#: Longer texts are sentences about something else; the model reads them.
MAX_STOP_CHARS = 25

# What is being stopped: the consultation, this form, sending it.
_OBJECT = (
    r"(?:そうだん|相談|これ|それ|にゅうりょく|入力|てつづき|手続き|手続|しつもん|質問|"
    r"とうろく|登録|もうしこみ|申し込み|申込み|申込|おくるの|送るの|そうしん|送信|"
    r"れんらく|連絡|ちゃっと|うけつけ|受付|このまま)"
    r"(?:は|を|も|の(?:こと|けん|件)?(?:は|を)?)?"
)
_STOP_VERB = r"(?:やめ|止め|辞め|よし|とりやめ|取りやめ|取り止め)"
# Endings that ask to stop now; 「やめたい」 only with its object (see the module docstring).
_STOP_ENDING = (
    r"(?:る|ます|ときます|とく|とこう|ておきます|ておく|ておこう|て(?:ください|くれ|ほしい)?|"
    r"させてください|させて|ようかな|よう|にします|にする|ました)"
)
_CANCEL = (
    r"(?:きゃんせる|ちゅうし|中止|ちゅうだん|中断|すとっぷ)"
    r"(?:する|します|したい|して(?:ください)?|で(?:おねがいします|お願いします)?|です)?"
)
_DONT_SEND = r"(?:おくら|送ら|おくらない|送らない)(?:ないで|ない)(?:ください|ほしい)?"
_ENOUGH = r"(?:もう|やっぱり|やはり)(?:、)?(?:いい|大丈夫|だいじょうぶ)(?:です|や|よ|わ)?"
_LEAD = r"(?:やっぱり|やはり|いったん|一旦|いちど|一度|すみません|ごめんなさい|あの)?(?:、)?"

_STOP = re.compile(
    rf"{_LEAD}(?:"
    rf"(?:{_OBJECT})?{_STOP_VERB}{_STOP_ENDING}"
    rf"|{_OBJECT}{_STOP_VERB}たい(?:です)?"
    rf"|(?:{_OBJECT})?{_CANCEL}"
    rf"|{_DONT_SEND}"
    rf"|{_ENOUGH}"
    r")"
)
# Punctuation, emoji-free politeness and particles at the end that do not change the wish.
_TRAILING = re.compile(r"(?:[\s。．.、,!！?？〜～ー…]|です|ね|よ|わ|。)+$")
_SPACES = re.compile(r"\s+")


def _normalised(text: str) -> str:
    folded = katakana_to_hiragana(normalize_with_offsets(text).text)
    folded = _SPACES.sub("", folded)
    return _TRAILING.sub("", folded)


def is_stop_request(text: str) -> bool:
    """True when the whole (short) message asks to stop the consultation or the intake."""
    stripped = (text or "").strip()
    if not stripped or len(stripped) > MAX_STOP_CHARS:
        return False
    return _STOP.fullmatch(_normalised(stripped)) is not None
