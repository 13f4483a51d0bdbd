"""Japanese text normalisation that never loses track of where a character came from.

Users type the same word in many shapes: half-width kana from old phones (ｼｬｯｷﾝ), full-width
Latin from IMEs (ＬＩＮＥ), circled digits (①), stray control characters pasted from
forms. The NLU wants one shape, but the tokenizer must still report spans in the text the
user actually sent (entity extraction and highlighting in the console depend on it). So NFKC
is applied per unit (a character plus the combining marks that follow it) and every output
character remembers the original span of the unit it came from.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = [
    "NormalizedText",
    "fold",
    "hiragana_to_katakana",
    "katakana_to_hiragana",
    "normalize_with_offsets",
]

# Spacing voiced/semi-voiced marks (゛゜) decompose under NFKC to SPACE + combining mark, which
# would insert a space into か゛. After a character they are treated as the combining marks.
_SPACING_TO_COMBINING = {"\u309b": "\u3099", "\u309c": "\u309a"}

# Invisible format characters that only get in the way of matching. ZWJ/ZWNJ are kept: they
# glue emoji sequences together and are harmless to the tokenizer.
_INVISIBLE = frozenset({"\u200b", "\u2060", "\ufeff", "\u00ad"})

_HIRAGANA_FIRST, _HIRAGANA_LAST = 0x3041, 0x3096  # ぁ..ゖ
_KATAKANA_FIRST, _KATAKANA_LAST = 0x30A1, 0x30F6  # ァ..ヶ
_KANA_SHIFT = 0x60
_ITERATION_H2K = {"\u309d": "\u30fd", "\u309e": "\u30fe"}  # ゝゞ -> ヽヾ
_ITERATION_K2H = {v: k for k, v in _ITERATION_H2K.items()}


@dataclass(frozen=True)
class NormalizedText:
    """Normalised text plus, per character, the span of the original text it came from.

    ``offsets[i]`` is the index in the original string of the unit that produced ``text[i]``;
    ``ends[i]`` is the end (exclusive) of that unit. A unit may produce several characters
    (㌔ -> キロ) or one character may stand for several (ｶﾞ -> ガ, a run of spaces -> " ").
    """

    text: str
    offsets: list[int]
    ends: list[int]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of ``text`` to the covering span of the original.

        Spans that cut through an expanded unit (the キ of キロ from ㌔) widen to the whole
        unit, so slicing the original with the result always yields whole characters.
        """
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span ({start}, {end}) outside 0..{len(self.text)}")
        if start == end:
            position = self.offsets[start] if start < len(self.text) else self.original_length
            return position, position
        return self.offsets[start], self.ends[end - 1]


# Characters whose compatibility decomposition starts with a combining mark although they are
# not combining themselves: half-width ﾞﾟ (and the spacing ゛゜ handled above).
_COMBINING_COMPATIBLE = frozenset({"\uff9e", "\uff9f", *_SPACING_TO_COMBINING})


def _is_continuation(char: str) -> bool:
    """True for characters that NFKC may compose into the preceding character."""
    return char in _COMBINING_COMPATIBLE or unicodedata.combining(char) != 0


def _units(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into (start, end) units that NFKC can normalise independently."""
    units: list[tuple[int, int]] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not _is_continuation(text[index]):
            units.append((start, index))
            start = index
    return [unit for unit in units if unit[0] < unit[1]]


def _normalize_unit(unit: str) -> str:
    if len(unit) > 1:
        unit = unit[0] + "".join(_SPACING_TO_COMBINING.get(c, c) for c in unit[1:])
    return unicodedata.normalize("NFKC", unit)


def _is_dropped(char: str) -> bool:
    """Control characters (except whitespace, handled separately) and invisible formatting."""
    return char in _INVISIBLE or (unicodedata.category(char) == "Cc" and not char.isspace())


def normalize_with_offsets(text: str) -> NormalizedText:
    """NFKC-normalise ``text``, collapse whitespace runs and drop control characters.

    A whitespace run becomes one ``"\\n"`` if it contains a line break (sentence boundaries
    matter to the tokenizer's chunking) and one ``" "`` otherwise. The result keeps, for every
    output character, the original span it was produced from.
    """
    out: list[str] = []
    offsets: list[int] = []
    ends: list[int] = []
    in_space = False
    for start, end in _units(text):
        normalized = _normalize_unit(text[start:end])
        if normalized and normalized.isspace():
            newline = "\n" in normalized or "\r" in text[start:end]
            if in_space:
                ends[-1] = end
                if newline:
                    out[-1] = "\n"
            else:
                out.append("\n" if newline else " ")
                offsets.append(start)
                ends.append(end)
                in_space = True
            continue
        kept = [c for c in normalized if not _is_dropped(c)]
        if not kept:
            continue
        in_space = False
        out.extend(kept)
        offsets.extend([start] * len(kept))
        ends.extend([end] * len(kept))
    return NormalizedText("".join(out), offsets, ends, len(text))


def hiragana_to_katakana(text: str) -> str:
    """Map hiragana to katakana (ひきこもり -> ヒキコモリ); everything else is unchanged."""
    return "".join(
        chr(ord(c) + _KANA_SHIFT)
        if _HIRAGANA_FIRST <= ord(c) <= _HIRAGANA_LAST
        else _ITERATION_H2K.get(c, c)
        for c in text
    )


def katakana_to_hiragana(text: str) -> str:
    """Map katakana to hiragana where a hiragana exists (ヷ and ー are left as they are)."""
    return "".join(
        chr(ord(c) - _KANA_SHIFT)
        if _KATAKANA_FIRST <= ord(c) <= _KATAKANA_LAST
        else _ITERATION_K2H.get(c, c)
        for c in text
    )


def fold(text: str) -> str:
    """Normalise for rule matching: NFKC, hiragana as katakana, Latin lower-cased.

    Rule layers (crisis words, city names) compare folded message text with folded patterns
    so that しゃっきん / シャッキン / ｼｬｯｷﾝ and LINE / ｌｉｎｅ match the same pattern.
    Kanji are left alone; use the Sudachi reading to join kanji and kana spellings.
    """
    return hiragana_to_katakana(normalize_with_offsets(text).text).lower()
