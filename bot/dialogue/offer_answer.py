"""A yes or a no to the bot's offer of a staff contact, in the resident's own words.

Why: after 「連絡を希望しますか？」 residents answer the way they speak, and much of it is not
what the model learned as 「はい」 or 「いいえ」 out of context: 「はい、相談したいです」,
「電話ください」, 「頼んます」 (yes); 「今はいいです」, 「いらん」, 「連絡しないでください」
(no). Read without the question, several of them are an opening (「相談したいです」), a wish
for a person, or nothing the model knows, so the bot asked 「うまく読み取れませんでした」 or
made the offer again, and the offer was gone.

Deliberately narrow, because the reading replaces the model's intent and a wrong yes starts
the intake's questions, a wrong no drops the offer:

* the whole message must be made of the offer's own words (``_VOCABULARY``: contact, phone,
  consultation, asking, wanting, needing, yes and no words, 「今は」「まだ」) and grammar. A
  single other word — a person (「夫には連絡しないで」), a place, a time of day, a worry, a
  question word, 「自分で」, 「考えたい」 — leaves the message to the model, as before; so do
  both a yes and a no in one answer (「はい、でも電話はしないで」, 「いいえ、お願いします」);
* only while the bot waits for the answer to its offer, outside the intake's questions, and
  only where the model found nothing else (``OVERRIDABLE_INTENTS``): its own yes or no, a
  worry, a question about the window, a city, a crisis keep their path; so does any message in
  which the crisis classifier or the model leaned towards danger, or which carries a worry;
* short texts only (``MAX_ANSWER_CHARS``), never a message with crisis words.

A polite request put as a negative question (「連絡してもらえませんか」「電話してくれん？」) is a
yes; a negation of anything else in the offer's words (「希望しません」「話したくない」) is a no.
A courtesy first (「すみません、」) is skipped; a hedge (「ほしいかも」) and 「大丈夫」 without a
clear yes or no (it means either, by the question) are left to the model.

The same reading finds a request for contact when no offer waits, and a hesitation taken
for a yes (``bot.dialogue.contact_request``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from bot.dialogue.state import AWAITING_HANDOFF_OFFER
from bot.nlu.categories import CRISIS_INTENT, CRISIS_KEY, WORRY_CATEGORIES_KEY
from bot.nlu.crisis_rules import detect_crisis
from bot.nlu.normalize import fold, katakana_to_hiragana, normalize_with_offsets
from bot.nlu.sudachi import Morpheme, SudachiAnalyzer

__all__ = [
    "DANGER_FLOOR",
    "MAX_ANSWER_CHARS",
    "OVERRIDABLE_INTENTS",
    "OfferAnswer",
    "Reading",
    "answer_to_offer",
    "leans_elsewhere",
    "read_answer",
    "read_offer_answer",
]

OfferAnswer = Literal["affirm", "deny"]

#: Longer texts say more than yes or no: the model reads them.
MAX_ANSWER_CHARS = 30

#: A crisis-model probability at or above this leaves the message to the model, even below the
#: crisis threshold: a message that leans towards danger is never made a yes or a no here.
DANGER_FLOOR = 0.2

#: Intents that, while the offer waits, can only be an answer to it: the model's guess without
#: the question (an opening, a courtesy, nothing it knows). Its own affirm and deny are kept:
#: the reading never turns the model's yes into a no or back. A wish for a person
#: (``request_human``) keeps its own path too: it makes the offer again, and the resident
#: chooses, since 「人と話したい」 may also mean "whom can I call".
OVERRIDABLE_INTENTS = frozenset(
    {
        "nlu_fallback",
        "greet",
        "inform",
        "thanks",
        "decline_answer",
        "continue_consultation",
        "out_of_scope",
    }
)


def _folded(*words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


# Acceptance (interjections, adverbs; by dictionary or normalized form, folded).
_YES = _folded(
    "はい", "はーい", "うん", "うむ", "おう", "もちろん", "勿論", "ok", "オーケー", "おっけー",
    "了解", "りょうかい", "承知",
)  # fmt: skip
# Asking for it: お願い(する), 頼む, 希望(する), ぜひ, よろしく.
_ASK = _folded(
    "願う", "お願い", "御願い", "おねがい", "頼む", "希望", "是非", "ぜひ", "宜しく", "よろしく"
)  # fmt: skip
# Endings of a wish or a request: 〜たい, 〜てほしい, 〜ください, 〜ちょうだい, 〜もらえる,
# 〜いただける, 〜くれる.
_WISH = _folded("たい", "欲しい", "下さる", "頂戴", "貰う", "もらえる", "頂く", "頂ける", "呉れる")
# Requests that stay requests when asked as a negative question (もらえませんか, くれん？).
_NEGATIVE_QUESTION_REQUESTS = _folded("貰う", "もらえる", "頂ける", "呉れる")
# Asking someone else to act (〜てほしい, 〜ください, 〜もらえる, お願い), not a wish of one's own
# (〜たい: 「窓口に電話したい」 is calling them oneself).
_OF_OTHERS = _folded("欲しい", "下さる", "頂戴", "貰う", "もらえる", "頂く", "頂ける", "呉れる")
# Refusal: いいえ, いや (嫌), 結構, 遠慮, 不要, 辞退, 断る, 見送る.
_NO = _folded(
    "いいえ", "いえ", "いーえ", "ううん", "いや", "嫌", "結構", "遠慮", "不要", "辞退", "断る",
    "見送る",
)  # fmt: skip
# 「今はいい」「まだ大丈夫」: one of these with いい or 大丈夫 is a no.
_NOT_NOW = _folded("今", "まだ", "もう", "今回", "今日", "今度")
_GOOD = _folded("良い", "いい", "よい", "大丈夫")
# What the offer is about, and the verbs that carry it (相談に乗る, 話を聞く, つなぐ).
_TOPIC = _folded(
    "連絡", "電話", "相談", "話", "話す", "職員", "担当", "人", "窓口", "折り返し", "紹介",
    "聞く", "乗る", "繋ぐ", "つなぐ", "為る", "する", "出来る", "できる", "致す", "要る", "いる",
    "入る", "必要", "有る", "ある", "及ぶ",
    # sending what was asked (after the summary was cancelled: 「やっぱり送ってください」)
    "送る", "送信",
    # who calls, and how: 「市の人から電話かけてもらえんかね」
    "市", "役所", "市役所", "掛ける", "かける",
)  # fmt: skip
# A request for contact itself, not only a yes (「連絡してほしい」, not 「よろしくお願いします」).
_CONTACT = _folded(
    "連絡", "電話", "相談", "話", "話す", "職員", "担当", "人", "窓口", "折り返し", "市", "役所",
    "市役所",
)  # fmt: skip
# Words that carry no content of their own in an answer: それで, そう, じゃあ, ほんなら, でも.
_FRAME = _folded(
    "其れ", "それ", "そう", "じゃあ", "じゃ", "では", "なら", "ほんなら", "ほな", "それなら",
    "でも", "とりあえず", "取り敢えず", "あの", "えっと", "えーと", "うーん", "ぜひとも", "ほん",
    "置く", "おく", "思う", "幸い", "別に", "折角",
    # A change of mind (「やっぱりお願いします」「さっきの、やっぱり」「気が変わりました」) and
    # a call for attention (なあ, ねえ) add nothing to the answer itself.
    "やっぱり", "やっぱ", "やはり", "矢張り", "さっき", "先程", "気", "変わる", "なあ", "ねえ",
    # 「そちらから」「電話してもらうことってできますか」
    "そっち", "そちら", "其方", "こと", "事",
)  # fmt: skip
_VOCABULARY = _YES | _ASK | _WISH | _NO | _NOT_NOW | _GOOD | _TOPIC | _FRAME
# Grammar: particles, auxiliaries (です, ます, たい, ない), prefixes (お, ご), suffixes (さん).
_GRAMMAR_POS = frozenset({"助詞", "助動詞", "接頭辞", "接尾辞", "補助記号", "空白"})
_NEGATIONS = _folded("ない", "ぬ", "ず", "無い")
# 「連絡なしで」: without it.
_WITHOUT = _folded("なし", "無し")
# A hedge (「ほしいかも」) is not yet an answer.
_HEDGE = re.compile(r"かも|多分|たぶん|タブン")
# A drawn-out ending after kana (「いいえー」「お願いしますー」) is the same word.
_DRAWN_OUT = re.compile(r"(?<=[ぁ-ゖ])[ー〜~]+(?=[!！。.、?？\s]*$)")
# A courtesy before the answer (「すみません、」「ごめんなさい、」) says nothing about it, and
# すみません is a negation only in form.
_COURTESY = re.compile(
    r"^(?:すみません|すいません|ごめんなさい|ごめん|申し訳(?:ありません|ないです|ない)|"
    r"せっかくです)(?:が|けど|けれど)?[、,。.!！\s]*"
)
# 居る (いない: nobody is there) is not 要る (いらない: not needed); Sudachi tells them apart.
_BEING = fold("居る")


@lru_cache(maxsize=1)
def _analyzer() -> SudachiAnalyzer:
    # Sudachi is the NLU pipeline's tokenizer: the server cannot run without it.
    return SudachiAnalyzer("C")


def _forms(m: Morpheme) -> frozenset[str]:
    return frozenset({fold(m.dictionary_form), fold(m.normalized), fold(m.surface)})


def _is_negation(m: Morpheme) -> bool:
    forms = _forms(m)
    return bool(forms & _WITHOUT) or (m.pos[0] in ("助動詞", "形容詞") and bool(forms & _NEGATIONS))


def _ee(morphemes: Sequence[Morpheme], i: int) -> OfferAnswer | None:
    """What ええ at ``i`` says: yes alone, before punctuation or よ (ええよ); no thanks as Kansai's
    ええわ, ええって; nothing clear otherwise (ええです, ええねん: it's fine, either way)."""
    following = morphemes[i + 1] if i + 1 < len(morphemes) else None
    if following is None or following.pos[0] == "補助記号" or following.surface == "よ":
        return "affirm"
    if following.surface in ("わ", "って"):
        return "deny"
    return None


_EE = fold("ええ")
_DISLIKE = _folded("いや", "嫌")
# いや and いえ count as a no only as an interjection or as 嫌 (いえ is also 家, 言え).
_NO_AS_INTERJECTION = _folded("いや", "いえ")
_MOU = _folded("もう")
_FINE = _folded("大丈夫")
_MASU = fold("ます")


def _in_vocabulary(morphemes: Sequence[Morpheme], i: int) -> bool:
    m = morphemes[i]
    if m.pos[0] in _GRAMMAR_POS or _is_negation(m):
        return True
    forms = _forms(m)
    if fold(m.normalized) == _BEING:
        return False
    if _EE in forms:
        return _ee(morphemes, i) is not None
    if forms & _NO_AS_INTERJECTION and m.pos[0] not in ("感動詞", "形状詞"):
        return False
    # 「もういや」 is despair, not a refusal.
    if forms & _DISLIKE and any(_forms(n) & _MOU for n in morphemes[:i]):
        return False
    return bool(forms & _VOCABULARY)


def _not_now(morphemes: Sequence[Morpheme]) -> bool:
    """「今はいい」「まだいい」「今回は大丈夫」: a time word, は or も, then いい or 大丈夫."""
    for i, m in enumerate(morphemes):
        if not _forms(m) & _NOT_NOW:
            continue
        j = i + 1
        if j < len(morphemes) and morphemes[j].surface in ("は", "も"):
            j += 1
        if j < len(morphemes) and _forms(morphemes[j]) & _GOOD:
            return True
    return False


def _negated_request(morphemes: Sequence[Morpheme]) -> bool:
    """A request asked as a negative question: 〜もらえませんか, 〜くれない？, 〜くれんね."""
    for i, m in enumerate(morphemes):
        if _forms(m) & _NEGATIVE_QUESTION_REQUESTS:
            rest = [n for n in morphemes[i + 1 :] if n.pos[0] not in ("補助記号",)]
            if any(_is_negation(n) for n in rest) and all(
                _is_negation(n) or n.pos[0] == "助詞" or fold(n.dictionary_form) == _MASU
                for n in rest
            ):
                return True
    return False


def _analyse(normalized: str) -> list[Morpheme]:
    # A message all in katakana (an old phone's ﾊｲ ｵﾈｶﾞｲｼﾏｽ) is read as nouns: read it in
    # hiragana. Mixed text keeps its katakana (オッケー, loanwords).
    katakana_only = all(
        "\u30a0" <= ch <= "\u30ff" or not ch.isalpha() for ch in normalized
    ) and any("\u30a0" <= ch <= "\u30ff" for ch in normalized)
    return _analyzer().analyze(katakana_to_hiragana(normalized) if katakana_only else normalized)


class Reading(NamedTuple):
    """What a short message says to the offer, in the offer's own words."""

    answer: OfferAnswer | None
    #: Whether the message asks for it in words (お願い, 〜ください, 〜たい, 頼む), not only
    #: 「はい」: only such a message asks for contact when no offer waits.
    requested: bool
    #: Whether it names the contact (連絡, 電話, 相談, 職員…): 「よろしくお願いします」 does not.
    names_contact: bool = False
    #: Whether it asks someone else to act (「電話してもらえますか」), not to act oneself.
    asks_others: bool = False


_NOTHING = Reading(None, requested=False)


def read_offer_answer(text: str) -> OfferAnswer | None:
    """``affirm`` or ``deny`` when ``text`` is, in the offer's own words, a clear yes or no."""
    return read_answer(text).answer


def read_answer(text: str) -> Reading:
    """The reading of ``text`` (``Reading``); nothing when it is more than an answer."""
    normalized = normalize_with_offsets(text).text.strip()
    if not normalized or len(normalized) > MAX_ANSWER_CHARS or detect_crisis(text) is not None:
        return _NOTHING
    answer = _DRAWN_OUT.sub("", _COURTESY.sub("", normalized)) or normalized
    morphemes = _analyse(answer)
    if not morphemes or not all(_in_vocabulary(morphemes, i) for i in range(len(morphemes))):
        return _NOTHING
    if _HEDGE.search(normalized):
        return _NOTHING
    forms = [_forms(m) for m in morphemes]
    ee = [_ee(morphemes, i) for i, f in enumerate(forms) if _EE in f]
    yes = any(f & _YES for f in forms) or "affirm" in ee
    asking = any(f & _ASK for f in forms)
    wish = any(f & _WISH for f in forms)
    negated = any(_is_negation(m) for m in morphemes) and not _negated_request(morphemes)
    no = any(f & _NO for f in forms) or "deny" in ee
    not_now = _not_now(morphemes)
    if any(f & _FINE for f in forms) and not (not_now or negated or no):
        return _NOTHING  # 「大丈夫です」「はい、大丈夫」: "fine" is yes or no, by the question
    if (yes or asking or wish) and not (negated or no or not_now):
        return Reading(
            "affirm",
            requested=asking or wish,
            names_contact=any(f & _CONTACT for f in forms),
            asks_others=asking or any(f & _OF_OTHERS for f in forms),
        )
    if (no or negated or not_now) and not yes and (negated or not (asking or wish)):
        return Reading("deny", requested=False)
    return _NOTHING


def leans_elsewhere(parse: Mapping[str, Any]) -> bool:
    """Whether the model saw more than an answer: a worry, or any lean towards danger."""
    crisis = parse.get(CRISIS_KEY) or {}
    if crisis.get("detected") or float(crisis.get("confidence") or 0.0) >= DANGER_FLOOR:
        return True
    ranking = parse.get("intent_ranking") or []
    if ranking and (ranking[0] or {}).get("name") == CRISIS_INTENT:
        return True  # DIET leaned to crisis; the crisis component asked instead
    return bool((parse.get(WORRY_CATEGORIES_KEY) or {}).get("categories"))


def answer_to_offer(
    parse: Mapping[str, Any], awaiting: str | None, active_loop: str | None
) -> OfferAnswer | None:
    """The intent a parsed message stands for as the answer to a pending offer, or None to
    keep the model's (see the module docstring for when)."""
    intent = (parse.get("intent") or {}).get("name")
    if awaiting != AWAITING_HANDOFF_OFFER or active_loop or intent not in OVERRIDABLE_INTENTS:
        return None
    text = str(parse.get("text") or "")
    if text.lstrip().startswith("/") or leans_elsewhere(parse):
        return None
    return read_offer_answer(text)
