"""Rule layer for crisis messages (suicide, self-harm, immediate danger).

Why rules and not only the classifier: a missed crisis is the one error this bot must not make,
and a statistical model trained on a few hundred lines cannot promise that. These rules run on
every message before (and regardless of) the model, so a crisis is answered with the emergency
contacts even when the model is wrong, untrained or unavailable.

How matching works, so the patterns below can be read and extended:

* Text is NFKC-normalised (full-width ASCII, half-width kana ``ｼﾆﾀｲ``) and hiragana are folded
  to katakana, so ``しにたい`` / ``シニタイ`` / ``ｼﾆﾀｲ`` are one string.  Patterns are written in
  ordinary Japanese and go through the same folding when compiled, so they stay readable.
* Casual spelling is tolerated: long-vowel marks and tildes (``しにた〜い``, ``しにたーい``) and
  spaces are dropped; a small vowel that only stretches the previous kana (``しにたぁい``) is
  dropped and any other small vowel is read as full size (``しにたぃ``).  Each pattern is also
  tried on a copy where runs of the same kana are squeezed (``しにたいいい``).
* A match is cancelled when the words right after it negate it (``死にたいとは思わない``,
  ``消えたいと思ったことはない``).  ``死にたくない`` never matches in the first place.
* Rules marked ``fiction_sensitive`` are cancelled when the sentence is about a drama, game or
  news story (``殺されるドラマ``), because there the words describe a story, not the writer.

The default rules are data (``DEFAULT_RULES`` in ``bot.nlu.crisis_patterns``); a city can build
a ``CrisisDetector`` with extra rules, e.g. local dialect, without editing either module.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.nlu.crisis_patterns import (
    CRISIS_KINDS,
    DEFAULT_RULES,
    NEGATION_PATTERNS,
    CrisisKind,
    CrisisRule,
)
from bot.nlu.normalize import hiragana_to_katakana

__all__ = [
    "CRISIS_KINDS",
    "DEFAULT_RULES",
    "NEGATION_PATTERNS",
    "CrisisDetector",
    "CrisisKind",
    "CrisisMatch",
    "CrisisRule",
    "detect_crisis",
    "find_crises",
    "fold_for_matching",
    "in_story_or_study",
]


@dataclass(frozen=True)
class CrisisMatch:
    """A rule that fired: what kind of crisis, the words in the original text and where."""

    kind: CrisisKind
    matched: str
    start: int
    end: int
    rule: str

    def explain(self) -> str:
        """One line for logs and the staff console, saying which rule fired on which words."""
        return f"{self.kind}: 「{self.matched}」 ({self.rule})"


# --------------------------------------------------------------------------------------------
# Normalisation: NFKC, kana folding (bot.nlu.normalize) and the elongation rules below.

_COMBINING_MARKS = frozenset("\u3099\u309a\uff9e\uff9f")
_DROPPED = frozenset("ー〜~―‐")
_SMALL_TO_LARGE = str.maketrans("ァィゥェォャュョヮヵヶ", "アイウエオヤユヨワカケ")
_SMALL_VOWELS = frozenset("ァィゥェォ")
_VOWEL_ROWS = {
    "ア": "アカガサザタダナハバパマヤラワァ",
    "イ": "イキギシジチヂニヒビピミリ",
    "ウ": "ウクグスズツヅヌフブプムユルヴ",
    "エ": "エケゲセゼテデネヘベペメレ",
    "オ": "オコゴソゾトドノホボポモヨロヲ",
}
_ROW_OF = {kana: vowel for vowel, row in _VOWEL_ROWS.items() for kana in row}
_SENTENCE_END = "。.!?\n"


def _is_kana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa"


def _fold_pattern(pattern: str) -> str:
    """Fold a rule's pattern the context-free way the text is folded, leaving regex syntax be."""
    folded = "".join(hiragana_to_katakana(ch) for ch in unicodedata.normalize("NFKC", pattern))
    folded = folded.translate(_SMALL_TO_LARGE)
    return "".join(ch for ch in folded if ch not in _DROPPED)


def _fold_text(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Fold text for matching; return it with, per folded character, its span in ``text``.

    NFKC runs per base character plus its (half-width) voicing marks so that ``ｼﾞ`` becomes
    ``ジ`` and still maps back to both original characters.
    """
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and text[j] in _COMBINING_MARKS:
            j += 1
        for raw in unicodedata.normalize("NFKC", text[i:j]):
            ch = hiragana_to_katakana(raw)
            if ch in "\n\r":
                ch = "。"  # a line break ends a sentence as far as context checks go
            elif ch.isspace() or ch in _DROPPED:
                continue
            if ch.isascii():
                ch = ch.lower()
            if ch in _SMALL_VOWELS:
                large = ch.translate(_SMALL_TO_LARGE)
                if out and _ROW_OF.get(out[-1]) == large:
                    continue  # しにたぁい: the small vowel only stretches た
                ch = large
            else:
                ch = ch.translate(_SMALL_TO_LARGE)
            out.append(ch)
            spans.append((i, j))
        i = j
    return "".join(out), spans


def fold_for_matching(text: str) -> str:
    """The folded form the rules match on (NFKC, katakana, elongation dropped), for features."""
    return _fold_text(text)[0]


def _squeeze(folded: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Collapse runs of the same kana (しにたいいい → シニタイ), keeping the span map."""
    out: list[str] = []
    out_spans: list[tuple[int, int]] = []
    for ch, span in zip(folded, spans, strict=True):
        if out and ch == out[-1] and _is_kana(ch):
            out_spans[-1] = (out_spans[-1][0], span[1])
            continue
        out.append(ch)
        out_spans.append(span)
    return "".join(out), out_spans


_FICTION_CONTEXT = re.compile(
    _fold_pattern(
        r"ドラマ|映画|えいが|ゲーム|小説|しょうせつ|漫画|まんが|マンガ|アニメ|ニュース|"
        r"番組|ばんぐみ|ストーリー|事件|じけん|夢で|夢の中|ゆめで|主人公|登場人物|あらすじ|"
        # study and work: a report, a course, a procedure, a volunteer's question
        r"記事|きじ|レポート|論文|授業|じゅぎょう|セミナー|研修|けんしゅう|講座|こうざ|講演|"
        r"勉強会|研究|統計|とうけい|事例|マニュアル|対応方法|対応の仕方|ボランティア|民生委員|"
        r"ゲートキーパー|啓発|防止月間|ポスター|パンフレット"
    )
)


_PAST_CONTEXT = re.compile(
    _fold_pattern(
        r"昔|むかし|子どもの頃|子供の頃|こどものころ|小さい頃|ちいさいころ|幼い頃|若い頃|学生の頃|"
        r"何年も前|なんねんもまえ|\d+年前|以前は"
    )
)


def in_story_or_study(text: str) -> bool:
    """The message is about a drama, a book, the news, a course or a report, not the writer."""
    return bool(_FICTION_CONTEXT.search(fold_for_matching(text)))


@dataclass(frozen=True)
class _Compiled:
    rule: CrisisRule
    regex: re.Pattern[str]


class CrisisDetector:
    """Applies crisis rules to text; build one with extra rules to extend the defaults."""

    def __init__(
        self,
        rules: Iterable[CrisisRule] = DEFAULT_RULES,
        negations: Iterable[str] = NEGATION_PATTERNS,
    ) -> None:
        self._rules = [_Compiled(rule, re.compile(_fold_pattern(rule.pattern))) for rule in rules]
        self._negations = [re.compile(_fold_pattern(pattern)) for pattern in negations]

    @classmethod
    def with_extra_rules(cls, extra: Sequence[CrisisRule]) -> CrisisDetector:
        """The default rules plus a city's own (dialect, local landmarks)."""
        return cls(rules=(*DEFAULT_RULES, *extra))

    def find_all(self, text: str) -> list[CrisisMatch]:
        """Every rule match that survives negation and fiction checks, in text order."""
        folded, spans = _fold_text(text)
        variants = [(folded, spans)]
        squeezed = _squeeze(folded, spans)
        if squeezed[0] != folded:
            variants.append(squeezed)
        found: dict[tuple[int, int, str], CrisisMatch] = {}
        for compiled in self._rules:
            for variant, variant_spans in variants:
                for m in compiled.regex.finditer(variant):
                    if m.end() == m.start() or self._cancelled(compiled.rule, variant, m):
                        continue
                    start = variant_spans[m.start()][0]
                    end = variant_spans[m.end() - 1][1]
                    key = (start, end, compiled.rule.note)
                    found.setdefault(
                        key,
                        CrisisMatch(
                            kind=compiled.rule.kind,
                            matched=text[start:end],
                            start=start,
                            end=end,
                            rule=compiled.rule.note,
                        ),
                    )
        return sorted(found.values(), key=lambda match: (match.start, -match.end))

    def detect(self, text: str) -> CrisisMatch | None:
        """The first crisis phrase in the text, or None."""
        matches = self.find_all(text)
        return matches[0] if matches else None

    def _cancelled(self, rule: CrisisRule, folded: str, m: re.Match[str]) -> bool:
        after = folded[m.end() :]
        if any(negation.search(after) for negation in self._negations):
            return True
        if rule.fiction_sensitive:
            sentence_start = max(folded.rfind(c, 0, m.start()) for c in _SENTENCE_END) + 1
            ends = [i for i in (folded.find(c, m.end()) for c in _SENTENCE_END) if i >= 0]
            sentence = folded[sentence_start : min(ends, default=len(folded))]
            if _FICTION_CONTEXT.search(sentence):
                return True
        if rule.past_sensitive:
            sentence_start = max(folded.rfind(c, 0, m.start()) for c in _SENTENCE_END) + 1
            if _PAST_CONTEXT.search(folded[sentence_start : m.start()]):
                return True
        return False


_DEFAULT_DETECTOR = CrisisDetector()


def find_crises(text: str) -> list[CrisisMatch]:
    """All crisis phrases in ``text`` with the default rules (for logs and tests)."""
    return _DEFAULT_DETECTOR.find_all(text)


def detect_crisis(text: str) -> CrisisMatch | None:
    """The first crisis phrase in ``text`` with the default rules, or None.

    The first in text order is returned; when a message has several (``今殴られている、死にたい``)
    ``find_crises`` lists them all so the caller can pick, e.g., ``danger`` for a 110 prompt.
    """
    return _DEFAULT_DETECTOR.detect(text)
