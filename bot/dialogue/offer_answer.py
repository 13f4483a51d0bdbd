"""A yes or a no to the bot's offer of a staff contact, in the resident's own words.

Why: after 「連絡を希望しますか？」 residents answer the way they speak, and much of it is not
what the model learned as 「はい」 or 「いいえ」 out of context: 「はい、相談したいです」,
「電話ください」, 「頼んます」 (yes); 「今はいいです」, 「いらん」, 「連絡しないでください」
(no). Read without the question, several of them are an opening (「相談したいです」), a wish
for a person, or nothing the model knows, so the bot asked 「うまく読み取れませんでした」 or
made the offer again, and the offer was gone. Read as answers to the question just asked, they
are plain: a wish for contact or help, or a courtesy of acceptance, is yes; a refusal, a
negated wish or 「今はいい」 is no.

Deliberately narrow, because the reading replaces the model's intent:

* only while the bot waits for the answer to its offer, outside the intake's questions, and
  only over intents that mean nothing else there (``OVERRIDABLE_INTENTS``): a new worry, a
  question about the window, a city, a crisis keep their own path;
* only short texts (``MAX_ANSWER_CHARS``), never a message with crisis words;
* both a yes and a no in one answer (「はい、でも電話はしないで」, 「いいえ、お願いします」) is
  neither: the model decides, as before;
* a negation counts only in the last clause, and only on what the offer is about (wanting,
  needing, being contacted): 「わからないので相談したい」 is a yes, 「息子が出てこない」 is
  neither.

The offer's yes starts the intake, which asks its own consent and shows everything before
anything is sent, so a yes read here can still be undone by the resident; a no shows the
windows' own contacts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from bot.dialogue.state import AWAITING_HANDOFF_OFFER
from bot.nlu.crisis_rules import detect_crisis
from bot.nlu.normalize import fold, katakana_to_hiragana, normalize_with_offsets
from bot.nlu.sudachi import Morpheme, SudachiAnalyzer

log = logging.getLogger(__name__)

__all__ = [
    "MAX_ANSWER_CHARS",
    "OVERRIDABLE_INTENTS",
    "OfferAnswer",
    "answer_to_offer",
    "read_offer_answer",
]

OfferAnswer = Literal["affirm", "deny"]

#: Longer texts say more than yes or no: the model reads them.
MAX_ANSWER_CHARS = 30

#: Intents that, while the offer waits, can only be an answer to it: the model's guess without
#: the question (an opening, a wish for a person, a courtesy, nothing it knows) or its own yes/no.
OVERRIDABLE_INTENTS = frozenset(
    {
        "nlu_fallback",
        "greet",
        "request_human",
        "inform",
        "thanks",
        "affirm",
        "deny",
        "decline_answer",
        "continue_consultation",
        "out_of_scope",
    }
)


def _folded(*words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


# Interjections and adverbs of acceptance (dictionary forms, folded).
_YES_WORDS = _folded(
    "はい", "はーい", "うん", "うむ", "おう", "ええ", "もちろん", "ぜひ", "是非", "よろしく",
    "りょうかい", "了解", "おねがい", "お願い", "きぼう", "希望", "ok", "おっけー", "おけ",
)  # fmt: skip
# Verbs of asking: お願いする, 頼む (any conjugation: 頼んます, お願いしよかな).
_ASKING_VERBS = _folded("ねがう", "願う", "たのむ", "頼む")
# Endings that make the last clause a wish or a request: 〜たい, 〜てほしい, 〜ください,
# 〜もらえる/いただける (a request as a question), 〜ちょうだい.
_WISH_ENDINGS = _folded(
    "たい", "ほしい", "欲しい", "くださる", "下さる", "もらえる", "いただける", "頂ける",
    "ちょうだい", "くれる",
)  # fmt: skip
# Refusals: いいえ, いや (also 嫌), 結構, 遠慮, 不要, 困る.
_NO_WORDS = _folded(
    "いいえ", "いえ", "いや", "嫌", "ううん", "いーえ", "けっこう", "結構", "えんりょ", "遠慮",
    "ふよう", "不要", "こまる", "困る",
)  # fmt: skip
# Negation morphemes (ない, ぬ as in いらん, ず), by dictionary form.
_NEGATIONS = _folded("ない", "ぬ", "ず", "無い")
# A negation is a no only on what the offer is about: needing, wanting, asking, being
# contacted (いらない, 話したくない, 連絡しないで); 「出てこない」「払えない」 are worries.
_OFFER_WORDS = _folded(
    "いる", "要る", "ほしい", "欲しい", "たい", "する", "話す", "はなす", "相談", "そうだん",
    "連絡", "れんらく", "電話", "でんわ", "頼む", "願う", "希望",
)  # fmt: skip
# 「今はいい」「まだいい」「もういい」: いい after one of these is a no.
_NOT_NOW = _folded(
    "いま", "今", "まだ", "もう", "こんかい", "今回", "きょう", "今日", "こんど", "今度"
)  # fmt: skip
_GOOD = _folded("いい", "よい", "良い", "ええ")
# Where a clause ends inside a message: punctuation, and the conjunctions after which the last
# clause carries the answer (わからないので｜相談したい).
_CLAUSE_PARTICLES = _folded("ので", "から", "けど", "けれど", "けれども", "のに", "が", "し")
_WHOLE_TEXT_YES = _folded("ok", "おっけー", "おっけ", "おけ", "おーけー", "りょうかい", "了解")


@lru_cache(maxsize=1)
def _analyzer() -> SudachiAnalyzer:
    return SudachiAnalyzer("C")


def _forms(m: Morpheme) -> frozenset[str]:
    return frozenset({fold(m.dictionary_form), fold(m.surface)})


def _last_clause(morphemes: Sequence[Morpheme]) -> Sequence[Morpheme]:
    """The morphemes after the last clause boundary (punctuation or a clause conjunction)."""
    start = 0
    for i, m in enumerate(morphemes):
        boundary = m.pos[:1] == ("補助記号",) or (
            m.pos[1:2] == ("接続助詞",) and bool(_forms(m) & _CLAUSE_PARTICLES)
        )
        # 「ので」 is read as の (準体助詞) + で (だ).
        if m.dictionary_form == "だ" and m.surface == "で" and i > 0:
            boundary = boundary or morphemes[i - 1].pos[1:2] == ("準体助詞",)
        if boundary and i + 1 < len(morphemes):
            start = i + 1
    return morphemes[start:]


def _is_negation(m: Morpheme) -> bool:
    return m.pos[0] in ("助動詞", "形容詞") and bool(_forms(m) & _NEGATIONS)


def read_offer_answer(text: str) -> OfferAnswer | None:
    """``affirm`` or ``deny`` when ``text`` clearly answers a yes/no offer, else None."""
    normalized = normalize_with_offsets(text).text.strip()
    if not normalized or len(normalized) > MAX_ANSWER_CHARS or detect_crisis(text) is not None:
        return None
    if fold(normalized).strip("!！。.~〜ー") in _WHOLE_TEXT_YES:
        return "affirm"
    # Hiragana: a message in katakana or half-width kana (ﾊｲ ｵﾈｶﾞｲｼﾏｽ) is otherwise read as nouns.
    morphemes = _analyzer().analyze(katakana_to_hiragana(normalized))
    if not morphemes:
        return None
    last = _last_clause(morphemes)
    negated = any(_is_negation(m) for m in last) and any(_forms(m) & _OFFER_WORDS for m in last)
    yes_word = False
    no_word = False
    for i, m in enumerate(morphemes):
        forms = _forms(m)
        if forms & _YES_WORDS and m.pos[0] in ("感動詞", "副詞", "名詞", "形容詞"):
            # ええわ (Kansai: no thanks) is not ええ (yes).
            following = morphemes[i + 1].surface if i + 1 < len(morphemes) else ""
            yes_word = yes_word or not (forms & _GOOD and following == "わ")
        if forms & _NO_WORDS:
            no_word = True
    wish = any(_forms(m) & (_WISH_ENDINGS | _ASKING_VERBS) for m in last)
    not_now = any(_forms(m) & _GOOD for m in last) and any(_forms(m) & _NOT_NOW for m in morphemes)
    if (yes_word or wish) and not (negated or no_word or not_now):
        return "affirm"
    if (no_word or negated or not_now) and not yes_word and (negated or not wish):
        return "deny"
    return None


def answer_to_offer(
    text: str, intent: str | None, awaiting: str | None, active_loop: str | None
) -> OfferAnswer | None:
    """The intent a message stands for as the answer to a pending offer, or None to keep the
    model's. Only while the offer waits, outside a form, over ``OVERRIDABLE_INTENTS``."""
    if awaiting != AWAITING_HANDOFF_OFFER or active_loop or intent not in OVERRIDABLE_INTENTS:
        return None
    if text.lstrip().startswith("/"):  # a button's payload says what it means
        return None
    return read_offer_answer(text)
