"""The crisis decision for one message: rules first, then the model, then whose danger it is.

Rules (``bot.nlu.crisis_rules``) are the floor: when one fires, the message is a crisis whatever
the model says, and the model is never needed for it. The model (``bot.nlu.crisis_model``)
adds what no rule anticipated; its threshold comes from cross-validation on the training data
(the highest recall with at most 2 % false crises), because a missed crisis costs more than a
false one. The ``abuse_dv`` worry category counts as abuse when the model at least half agrees:
violence described in plain words gets its lines first, however it is written.

The result says which kinds of danger were found (several can be: 夫に殴られて、もう死にたい),
which comes first, whose danger it is (the writer's, or someone they write about) and, for
violence and abuse, who is hurt: the lines differ (DV相談+ for a partner, 189 for a child, 110
when it is happening now, 119 for a body in danger).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.nlu.crisis_model import CrisisPrediction
from bot.nlu.crisis_rules import CRISIS_KINDS, CrisisMatch, fold_for_matching, in_story_or_study

#: Which danger is answered first when a message has several: a body in danger, then violence
#: now, then suicide, self-harm, abuse.
PRIORITY: tuple[str, ...] = ("medical", "violence_now", "suicide", "self_harm", "abuse")
assert set(PRIORITY) == set(CRISIS_KINDS)

DEFAULT_THRESHOLD = 0.7
#: Kinds that put a life or a body in danger now: the analysts' and the sample's ``crisis``
#: flag. Abuse without danger now is answered first too, with its own lines, but is not one.
LIFE_DANGER_KINDS: frozenset[str] = frozenset({"medical", "violence_now", "suicide", "self_harm"})


def _folded(pattern: str) -> re.Pattern[str]:
    return re.compile(fold_for_matching(pattern))


# Who is hurt, read from the words (the model's guess is used where these say nothing).
_PARTNER = _folded(
    r"夫|おっと|旦那|だんな|主人|妻|つま|嫁|よめ|彼氏|かれし|彼女|かのじょ|パートナー|恋人|"
    r"交際相手|元夫|元妻|元彼|元カレ|内縁|配偶者|DV"
)
_CHILD = _folded(
    r"子ども|子供|こども|息子|むすこ|娘|むすめ|孫|まご|赤ちゃん|あかちゃん|赤ん坊|乳児|幼児|"
    r"小学生|中学生|高校生|隣の子|となりの子|児童|生徒"
)
_PARENT_AS_ACTOR = _folded(
    r"(?:親|おや|父|ちち|母|はは|お父さん|おとうさん|お母さん|おかあさん|パパ|ママ|継父|義父|"
    r"おやじ|オヤジ|おかん|おとん)(?:が|に|から|は|も)"
)
_CHILD_AS_ACTOR = _folded(
    r"(?:息子|むすこ|娘|むすめ|孫|まご)(?:が|は|から|に(?:殴|叩|蹴|なぐ|たた))"
)
_CHILD_WORDS = (
    r"(?:子ども|子供|こども|息子|むすこ|娘|むすめ|孫|赤ちゃん|あかちゃん|"
    r"隣の子|となりの子|うちの子)"
)
# A child who is hurt (子どもを蹴る, 子どもが叩かれる), not one who is only named (子どもを連れて).
_CHILD_AS_VICTIM = _folded(
    _CHILD_WORDS + r"(?:を|に)[^。]{0,6}?(?:殴|なぐ|叩|たた|蹴|けっ|ける|つね|投げ|なげ|暴力|"
    r"手を(?:あげ|上げ)|放置|ほったらかし|ご飯をあげ)|"
    + _CHILD_WORDS
    + r"(?:が|は|も)[^。]{0,6}?(?:殴られ|なぐられ|叩かれ|たたかれ|蹴られ|けられ|怒鳴られ|どなられ)"
)
# 母の彼氏, 父の再婚相手: a parent's partner who hurts the writer, a child (189).
_PARENTS_PARTNER = _folded(
    r"(?:母|はは|お母さん|おかあさん|ママ|父|ちち|お父さん|おとうさん|パパ|親|おや)の"
    r"(?:彼氏|かれし|彼女|かのじょ|恋人|再婚相手|内縁|新しい)"
)
_FIRST_PERSON = _folded(r"私|わたし|あたし|俺|おれ|僕|ぼく|うち|自分|じぶん")
_ELDER = _folded(
    r"高齢|こうれい|年寄|としより|老人|祖母|祖父|おばあちゃん|おじいちゃん|認知症|要介護|"
    r"年老いた|老いた|[6-9]\d歳|(?<!障害)年金"
)
# A partner named as the one who hits (夫に殴られ, 旦那が暴れる, 夫のDV): the victim is the
# partner even when children are mentioned (子どもを連れて逃げてきた).
_PARTNER_AS_ACTOR = _folded(
    r"(?:夫|おっと|旦那|だんな|主人|妻|つま|嫁|彼氏|かれし|彼女|パートナー|恋人|交際相手|元夫|元妻|"
    r"元彼|元カレ|内縁)(?:が|に|から|は|も|の(?:DV|暴力|ぼうりょく|暴言|モラハラ|虐待))"
)
# The writer's own partner (夫の暴言, 旦那が): a third party says whose partner it is (娘の夫,
# 隣のご主人), so a partner word with no owner before it means the writer is the one hurt.
_OWN_PARTNER = _folded(
    r"(?<![のノご御])(?:夫|おっと|旦那|だんな|主人|妻|嫁|彼氏|かれし|彼女|パートナー|恋人|"
    r"交際相手|元夫|元妻|元彼|元カレ|内縁)(?:の|が|に|から|は|も|って)"
)
# The writer fears they will hurt someone (子どもを叩いてしまいそう, 手にかけてしまいそう).
_WRITER_MAY_HARM = _folded(
    r"(?:叩いて|たたいて|殴って|なぐって|手をあげて|手を上げて|傷つけて|首を絞めて|首をしめて|"
    r"殺して|ころして)しまい(?:そう|たく)|手に(?:かけ|掛け)"
)
_OTHERS = _folded(
    r"友達|ともだち|友人|同僚|知人|親|父|母|兄|弟|姉|妹|きょうだい|先輩|後輩|同級生|クラスメイト"
)
_DISABLED = _folded(r"障害|障がい|しょうがい|障碍|車いす|車椅子|知的|発達")
# Someone else's danger: the writer reports a message, a note, a find.
_OTHER_REPORT = _folded(
    r"(?:から|って|と)(?:LINE|ライン|メール|メッセージ|連絡|電話)(?:が|き|来)|(?:連絡|電話|返事|既読)が"
    r"(?:つかな|取れな|とれな|こな|来な)|(?:見つけ|みつけ|気づ|気付)(?:いた|きました|いて|き)|"
    r"(?:言って|いって)(?:いる|いま|る|た)|(?:書いて|かいて)(?:あ|い)"
)


@dataclass(frozen=True)
class CrisisAssessment:
    """The crisis decision, as the dialogue and the ticket need it."""

    detected: bool
    kind: str | None = None  # the danger answered first
    kinds: tuple[str, ...] = ()  # every danger found, first-answered first
    about: str = "self"  # "self": the writer's own danger; "other": someone they write about
    may_harm: bool = False  # the writer fears they will hurt someone (a child, a cared-for parent)
    victim: str | None = None  # violence and abuse: partner, child, elder, disabled, other
    source: str | None = None  # "rule", "model", "category" (abuse_dv worry) or a mix
    confidence: float = 0.0  # the model's probability of danger (1.0 when a rule fired)
    rules: tuple[str, ...] = field(default=(), compare=False)  # which rules fired (no words)

    @property
    def life_danger(self) -> bool:
        """Suicide, self-harm, violence now or a medical emergency (not abuse alone)."""
        return bool(LIFE_DANGER_KINDS & set(self.kinds))

    def as_dict(self) -> dict[str, Any]:
        """The parse result's ``crisis`` entry; no resident words, so it is safe to log."""
        return {
            "detected": self.detected,
            "life_danger": self.life_danger,
            "kind": self.kind,
            "kinds": list(self.kinds),
            "about": self.about,
            "may_harm": self.may_harm,
            "victim": self.victim,
            "source": self.source,
            "confidence": round(self.confidence, 3),
            "rules": list(self.rules),
        }


# The whole of a short answer to one of the intake's questions, and the small words around it:
# who the worry is about (「じぶん」「母です」), who one lives with (「夫と子ども」「母と二人」)
# and how soon (「きょう」「今週中」). The model has met 自分 in 「自分を傷つけたい」 and alone
# such a word reads to it as self-harm; 「きょう」 read to it as self-harm (0.77); 「夫と」 and
# 「夫と子ども」 were tagged abuse_dv by the worry classifier, and the mother listing her
# household got the child-abuse lines. With nothing else said, neither the model nor the worry
# category is asked (the rules still are).
_ONLY_AN_ANSWER = _folded(
    r"(?:じぶん|自分|わたし|わたくし|私|あたし|ぼく|僕|おれ|俺|うち|本人|ほんにん|家族|かぞく|"
    r"母|父|はは|ちち|息子|むすこ|娘|むすめ|夫|おっと|妻|つま|子ども|子供|こども|知人|ちじん|"
    r"近所|きんじょ|友人|友達|ともだち|"
    # who one lives with
    r"両親|りょうしん|祖母|祖父|孫|まご|兄|姉|弟|妹|主人|しゅじん|旦那|だんな|嫁|よめ|"
    r"[一二三四五0-9]人|ひとり|ふたり|さんにん|よにん|ごにん|一緒|いっしょ|"
    # how soon
    r"今日|きょう|今週|こんしゅう|来週|らいしゅう|明日|あした|あす|中|じゅう|"
    r"急がない|いそがない|急ぎません|いそぎません|"
    r"です|だ|よ|ね|さん|ちゃん|くん|のこと|の|が|は|で|と|や|まで|に)+"
)


def says_only_an_answer(text: str) -> bool:
    """True when the message is only a short intake answer (「じぶん」「夫と子ども」「きょう」)."""
    words = re.sub(r"[\W_]+", "", fold_for_matching(text))
    return bool(words) and _ONLY_AN_ANSWER.fullmatch(words) is not None


def assess(
    text: str,
    rule_matches: Sequence[CrisisMatch],
    prediction: CrisisPrediction | None,
    categories: Sequence[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
) -> CrisisAssessment:
    """Combine the rule matches, the model's prediction and the worry categories."""
    kinds: set[str] = {match.kind for match in rule_matches}
    sources: list[str] = ["rule"] if kinds else []
    confidence = 1.0 if kinds else 0.0
    if not kinds and says_only_an_answer(text):
        # 「じぶん」「夫と子ども」「きょう」 answer a question; they tell of no danger
        return CrisisAssessment(detected=False)
    if prediction is not None:
        confidence = max(confidence, prediction.danger)
        if prediction.danger >= threshold:
            kinds.add(prediction.kind)
            sources.append("model")
        elif kinds and prediction.kind_scores.get(prediction.kind, 0.0) >= threshold:
            kinds.add(prediction.kind)
    if (
        "abuse_dv" in categories
        and not kinds & {"abuse", "violence_now"}
        and _model_leans_to_violence(prediction, threshold)
        and not in_story_or_study(text)  # 「ドラマでDVを扱っていて…」 is not a victim writing
    ):
        kinds.add("abuse")
        sources.append("category")
    if not kinds:
        return CrisisAssessment(detected=False, confidence=confidence)
    ordered = tuple(kind for kind in PRIORITY if kind in kinds)
    folded = fold_for_matching(text)  # once: every reading of the words below uses it
    return CrisisAssessment(
        detected=True,
        kind=ordered[0],
        kinds=ordered,
        about=_about(folded, ordered[0], prediction),
        may_harm=bool(_WRITER_MAY_HARM.search(folded)),
        victim=_victim(folded, prediction)
        if kinds & {"abuse", "violence_now"}
        else _child_or_none(folded),
        source="+".join(dict.fromkeys(sources)),
        confidence=confidence,
        rules=tuple(dict.fromkeys(match.rule for match in rule_matches)),
    )


def _model_leans_to_violence(prediction: CrisisPrediction | None, threshold: float) -> bool:
    """Two weaker signals agreeing: the worry is abuse_dv and the crisis model half agrees.

    The worry classifier alone also tags quarrels and questions about DV services; with no
    crisis model (an old archive) the category is trusted on its own.
    """
    if prediction is None:
        return True
    scores = prediction.kind_scores
    return scores.get("abuse", 0.0) + scores.get("violence_now", 0.0) >= threshold / 2


def _about(folded: str, kind: str, prediction: CrisisPrediction | None) -> str:
    """Whose danger: a report about someone else (a message received, cuts found) or one's own."""
    model_other = prediction.about_other if prediction is not None else 0.0
    if kind in ("abuse", "violence_now"):
        # The writer may be the victim, a parent, a neighbour: the victim field carries it.
        own_partner = bool(_OWN_PARTNER.search(folded)) and not _OTHERS.search(folded)
        first_person = own_partner or bool(_FIRST_PERSON.search(folded))
        return "other" if model_other >= 0.5 and not first_person else "self"
    if _OTHER_REPORT.search(folded) and (
        _CHILD.search(folded) or _PARTNER.search(folded) or _OTHERS.search(folded)
    ):
        return "other"
    if model_other >= 0.5:
        return "other"
    return "self"


def _child_or_none(folded: str) -> str | None:
    """For self-harm or suicide seen by a parent: is it a child's (the childcare window too)?"""
    return "child" if _CHILD.search(folded) else None


def _victim(folded: str, prediction: CrisisPrediction | None) -> str:
    """Who is hurt: the words decide where they are clear, else the model's guess.

    Order matters: an old or cared-for person is the victim even when a son or grandchild is
    named (息子に殴られる母); a child named as the one who hits (息子が暴れる) is not a
    child victim; a parent named as the one who hits, without a partner, means the writer is
    their child (a teenager writing about home): 189.
    """
    if _ELDER.search(folded):
        return "elder"
    if _PARENTS_PARTNER.search(folded):
        return "child"
    child_named = bool(_CHILD.search(folded))
    child_hurt = bool(_CHILD_AS_VICTIM.search(folded))
    child_acts = bool(_CHILD_AS_ACTOR.search(folded)) and not child_hurt
    if _PARTNER_AS_ACTOR.search(folded) and not child_hurt:
        return "partner"
    if child_named and not child_acts:
        return "child"
    if _PARTNER.search(folded):
        return "partner"
    if _PARENT_AS_ACTOR.search(folded):
        return "child"
    if _DISABLED.search(folded):
        return "disabled"
    if prediction is not None and prediction.victim:
        return prediction.victim
    return "other"
