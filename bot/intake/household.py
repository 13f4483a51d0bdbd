"""Reading the answer to 「どなたと暮らしていますか」.

People say it in many ways (「ひとり」「独居」「夫と」「母と二人」「子ども3人と」「家族4人」
「親と同居」「施設」), so the answer is kept in their own words for the staff. But the
question comes right after the age, and residents also answer it with an age, a phone number
or their worry again; those are not kept, so the question is asked once more
(``validation.decide``). An answer is about the household when it names who (or where) and is
a plain answer, not a worry sentence. 「わからない」 is kept: someone asking for a neighbour
may not know, and asking again would not help them.
"""

from __future__ import annotations

import re
import unicodedata

from bot.intake.ages import read_age, to_hiragana

CHOICES = ("ひとり暮らし", "家族と暮らしている", "その他")
UNKNOWN = "わからない"
MAX_LENGTH = 100
SHORT = 12  # a bare 「夫」「母と息子」 is an answer; a long sentence needs a living word

# Matched on hiragana (katakana and half-width kana are folded first).
_ALONE = r"^\d+人(?:です|で|家族)?$|ひとり|一人|独り|1人|独居|単身|どくきょ|たんしん"
_NOBODY = r"誰も|だれも|家族はいない|身寄り|みより"
_PEOPLE = (
    r"家族|かぞく|夫|おっと|妻|つま|旦那|だんな|嫁|よめ|配偶者|夫婦|ふうふ|主人|しゅじん|"
    r"母|はは|ぉ?かあさん|父|ちち|とうさん|ぱぱ|親|おや|両親|りょうしん|"
    r"息子|むすこ|娘|むすめ|子|こども|孫|まご|兄|あに|姉|あね|弟|おとうと|妹|いもうと|"
    r"兄弟|姉妹|きょうだい|祖父|祖母|じいちゃん|ばあちゃん|おじ|おば|"
    r"ぺっと|犬|いぬ|猫|ねこ|友人|友達|ともだち|知人|恋人|彼氏|かれし|彼女|かのじょ|ぱーとなー|同居人|るーむしぇあ|しぇあはうす"
)
_PLACES = (
    r"施設|しせつ|ほーむ|入所|入院|病院|寮|しぇるたー|ねっとかふぇ|ねかふぇ|"
    r"車中|路上|住む(?:所|ところ)がない|家がない|いえがない|ほーむれす"
)
_LIVING = (
    r"暮らし|くらし|ぐらし|住んで|すんで|住み|同居|どうきょ|一緒|いっしょ|"
    r"\d+人|人家族|ふたり|と$|とです"
)
_WORRY = (
    r"困|こま|つら|辛|苦し|くるし|悩|なや|借金|払え|はらえ|助けて|たすけて|不安|心配|しんぱい|"
    r"怖|こわ|暴力|殴|なぐ|どうしたら|どうすれば|死|しに|[?？]"
)
_NOT_KNOWN = re.compile(
    r"^(?:よく|ちょっと|まだ)?(?:わから|分から|わかり|分かり|知ら|知り|しら|しり)(?:ない|ません|ん|ず)|^不明"
)
_PHONE_OR_MAIL = re.compile(r"\d[\d\-()\s]{6,}\d|@")


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


def read_household(text: str) -> str | None:
    """The resident's words when they say who they live with, else ``None`` (ask again)."""
    words = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not words or len(words) > MAX_LENGTH:
        return None
    if words in CHOICES:
        return words
    folded = to_hiragana(words)
    if _NOT_KNOWN.match(folded):
        return UNKNOWN
    if _PHONE_OR_MAIL.search(folded):
        return None
    who = _has(_ALONE, folded) or _has(_NOBODY, folded) or _has(_PEOPLE, folded)
    where = _has(_PLACES, folded)
    if not (who or where):
        return None
    if _has(_LIVING, folded) or where:
        return words
    if read_age(words) is not None and not _has(_PEOPLE, folded):
        return None
    if len(folded) <= SHORT and not _has(_WORRY, folded):
        return words
    return None
