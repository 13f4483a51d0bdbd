"""Sentences of a long message, so that no worry in it is drowned by the others.

A resident writing at night puts three or four worries in one message: 「父の介護で仕事を
辞めました。カードの残高が増える一方です。地元に友達もいません」. Judged as one bag of words,
the loudest worries win and the quiet one (most often isolation or income) falls under the
threshold. Judged sentence by sentence, each worry has a sentence of its own to win in.

Pure string work (no Rasa), so the boundaries can be tested on their own.
"""

from __future__ import annotations

import re

# A sentence ends at 。！？ (full or half width), a line break, or an ellipsis/emoji run that
# residents use as a full stop; the mark stays with its sentence.
_SENTENCE_END = re.compile(r"[。！？!?\n]+|[…‥]{2,}")
#: A "sentence" shorter than this (「はい。」「😭」) joins the one before it: it cannot carry a
#: worry of its own and would only add noise.
MIN_SENTENCE_CHARS = 6


def _too_short(text: str, span: tuple[int, int]) -> bool:
    return len(text[span[0] : span[1]].strip()) < MIN_SENTENCE_CHARS


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; one span when it is a single sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    for begin, end in spans:
        if not text[begin:end].strip():
            continue
        short = len(text[begin:end].strip()) < MIN_SENTENCE_CHARS
        if merged and (short or _too_short(text, merged[-1])):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged or [(0, len(text))]
