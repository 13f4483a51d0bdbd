"""Typed text that names a button the bot just offered acts as that button.

Why: many residents type instead of tapping, and they type the way they speak: in kana
(でんわ), in half-width kana from an old phone (ﾃﾞﾝﾜ), politely (答えたくないです), or
short (はい for 「はい、連絡がほしい」, れんらくほしい). When the text clearly names exactly
one of the offered buttons, the channel sends that button's payload, so the answer does not
depend on the NLU guessing right.

Deliberately narrow, because a wrong button is worse than asking the NLU:

- only short texts: a real sentence (or several) is left to the NLU;
- never a message with crisis words (``bot.nlu.crisis_rules``): it must reach the crisis path;
- the whole text must be made of the title's words, in order: words may be left out of the
  title (particles, 「はい、」), never added to the text, so 「電話はいや」 is not 「電話」;
- a negation in the title (ない, ず) is never left out, so 「同意」 is not 「同意しない」;
- an exact match wins; otherwise exactly one button may match, else nothing does.

Kanji and kana spellings meet through Sudachi's reading (電話 and でんわ both read デンワ);
without Sudachi, texts are compared in folded kana only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from bot.nlu.crisis_rules import detect_crisis
from bot.nlu.normalize import fold, normalize_with_offsets

if TYPE_CHECKING:
    from bot.nlu.sudachi import SudachiAnalyzer

log = logging.getLogger(__name__)

__all__ = ["MAX_TYPED_CHARS", "Unit", "match_button", "sudachi_units"]

#: Longer texts are sentences: the NLU reads them. The longest offered title is 15 characters.
MAX_TYPED_CHARS = 20
#: A one-character text (は, い) says too little to pick a button.
MIN_MATCH_CHARS = 2

# Trailing politeness and punctuation that do not change which button is meant.
_TRAILING = re.compile(
    r"(?:[\s。．.、,!?！？〜～ー…♪]|"
    r"でおねがいします|でお願いします|をおねがいします|をお願いします|"
    r"おねがいします|お願いします|でおねがい|でお願い|おねがい|お願い|"
    r"にします|がいいです|がいい|でいいです|でいい|"
    r"ください|下さい|です|ます|でしょう|かな|ね|よ)+$"
)
# Sentence ends inside the text: more than one thought, so not a button.
_SENTENCE_INSIDE = re.compile(r"[。．!?！？\n]")
# Symbols that separate parts of a title (「知人・近所」, 「はい、連絡がほしい」).
_SYMBOLS = re.compile(r"[\s、。,.・･/／〜～~()（）「」!?！？:：]")
# Negation morphemes: leaving one out of a title would turn its meaning around.
_NEGATIONS = frozenset({"ない", "ぬ", "ず", "ん", "無い"})


@dataclass(frozen=True)
class Unit:
    """One word of a text: its folded spellings (reading, surface) and whether it negates."""

    forms: frozenset[str]
    negation: bool = False


Reader = Callable[[str], tuple[Unit, ...]]


def _clean(text: str) -> str:
    """NFKC text without the polite ending and trailing punctuation (kana not yet folded)."""
    normalized = normalize_with_offsets(text).text.strip()
    return _TRAILING.sub("", normalized) or normalized


def _fold_units(text: str) -> tuple[Unit, ...]:
    """Fallback reader: the parts between symbols, in folded kana (no kanji readings)."""
    return tuple(Unit(frozenset({part})) for part in _SYMBOLS.split(fold(text)) if part)


@lru_cache(maxsize=1)
def _sudachi() -> SudachiAnalyzer | None:
    try:
        from bot.nlu.sudachi import SudachiAnalyzer

        return SudachiAnalyzer("C")
    except Exception:  # no sudachipy or no dictionary: kana folding still works
        log.warning("button matching without Sudachi: kanji and kana spellings will not meet")
        return None


@lru_cache(maxsize=2048)
def sudachi_units(text: str) -> tuple[Unit, ...]:
    """Words of ``text`` with Sudachi's reading and the folded surface as spellings."""
    analyzer = _sudachi()
    if analyzer is None:
        return _fold_units(text)
    units: list[Unit] = []
    for m in analyzer.analyze(text):
        if m.pos and m.pos[0] in ("補助記号", "空白"):
            continue
        # The dictionary form lets 「同意します」 (し) name 「同意する」 (する).
        forms = {fold(m.reading), fold(m.surface), fold(m.dictionary_form)} - {""}
        if forms:
            units.append(Unit(frozenset(forms), m.dictionary_form in _NEGATIONS))
    return tuple(units)


def _keys(units: tuple[Unit, ...]) -> set[str]:
    """Every spelling of a whole text: each word in any of its spellings, joined."""
    keys = {""}
    for unit in units:
        keys = {key + form for key in keys for form in unit.forms}
        if len(keys) > 64:  # bounded: short texts never get near this
            keys = set(list(keys)[:64])
    return keys


def _covers(key: str, units: tuple[Unit, ...]) -> bool:
    """Whether ``key`` is some of ``units``' spellings joined in order (words may be skipped,
    negations not)."""

    @cache
    def fits(i: int, j: int) -> bool:
        if i == len(key):
            return all(not u.negation for u in units[j:])
        if j == len(units):
            return False
        unit = units[j]
        if any(key.startswith(form, i) and fits(i + len(form), j + 1) for form in unit.forms):
            return True
        return not unit.negation and fits(i, j + 1)

    return fits(0, 0)


def _strength(keys: set[str], title: str, read: Reader) -> int:
    """2 for the title itself, 1 for a short form of it, 0 for no match."""
    units = read(title)
    if keys & (_keys(units) | {_SYMBOLS.sub("", fold(_clean(title)))}):
        return 2
    if any(len(key) >= MIN_MATCH_CHARS and _covers(key, units) for key in keys):
        return 1
    return 0


def match_button(
    text: str, buttons: Sequence[tuple[str, str]], read: Reader = sudachi_units
) -> str | None:
    """The payload of the one offered button ``text`` names, or None to leave it to the NLU.

    ``buttons`` are the ``(title, payload)`` pairs of the bot's last reply; ``read`` splits a
    text into words (Sudachi by default; tests may pass a simpler reader).
    """
    if not buttons or not text or text.lstrip().startswith("/"):
        return None
    cleaned = _clean(text)
    if (
        not cleaned
        or cleaned.startswith("/")
        or len(cleaned) > MAX_TYPED_CHARS
        or _SENTENCE_INSIDE.search(cleaned)
        or detect_crisis(text) is not None
    ):
        return None
    keys = {_SYMBOLS.sub("", key) for key in _keys(read(cleaned)) | {fold(cleaned)}} - {""}
    if not keys:
        return None
    scored = [(_strength(keys, title, read), payload) for title, payload in buttons]
    best = max(score for score, _ in scored)
    if best == 0:
        return None
    payloads = {payload for score, payload in scored if score == best}
    return payloads.pop() if len(payloads) == 1 else None
