"""Person names in a resident's message, found with Sudachi and a few cues.

Names have no shape a pattern can catch, so this is the one rule set that needs the
dictionary; it is kept apart from the shape rules because it is slower, needs the morpheme
stream, and is where most false positives (family roles, city names) have to be kept out.
What counts as a name:

* Sudachi's 人名 (姓/名) morphemes — except a city or district name (益田, 鷹岡) without an
  honorific, and a single kana;
* kana (or any proper noun) directly before an honorific (さん ちゃん くん 君 様 さま 氏):
  さとうさん, ゆきちゃん, 益田さん; and half-width ｻﾄｳｻﾝ, which Sudachi reads as one word;
* the words introduced by 名前は… or closed by …と申します / …といいます.

Family and helper roles (母, おばあちゃん, ケアマネさん, 大家さん, 先生…) are never names:
who the worry is about is what analysts need. Adjacent parts merge (山田 花子 → one span);
the honorific itself is not part of the span (〔氏名〕さん). Out of scope: names in romaji and
a bare surname-like word with no cue that Sudachi does not know as a name (さとうです).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.nlu.normalize import NormalizedText, hiragana_to_katakana
from bot.nlu.sudachi import surface_morphemes

__all__ = ["name_spans"]

# --- morphemes and word lists ---------------------------------------------------------------------

_HONORIFICS = frozenset({"さん", "ちゃん", "くん", "君", "様", "さま", "氏", "サン", "チャン"})
# Sudachi reads katakana with the honorific glued on (サトウサン) as one unknown word.
_GLUED_HONORIFICS = ("サン", "チャン", "クン", "サマ")
_KATAKANA_ONLY = re.compile(r"[ァ-ヺー]+")
_NAME_LABELS = frozenset({"名前", "なまえ", "ナマエ", "氏名", "名"})
_LABEL_PARTICLES = frozenset({"は", "が", ":", "：", "って"})
_INTRO_VERBS = frozenset({"申し", "もうし", "いい", "言い", "申", "いう", "言う"})
_NOT_A_NAME = frozenset({"秘密", "匿名", "内緒", "ないしょ", "なし", "無し", "不明", "未定"})
_MAX_NAME_PARTS = 4

# Family and helper roles: who the worry is about is exactly what analysts need. Compared in
# katakana, with and without a leading お/ご (おばあ, お母).
_ROLE_WORDS = (
    "母 父 兄 姉 弟 妹 息子 娘 夫 妻 嫁 婿 孫 祖父 祖母 叔母 伯母 叔父 伯父 母親 父親 両親 "
    "親 子 子供 子ども 長男 次男 三男 長女 次女 三女 主人 家内 旦那 だんな 奥 奥さん 彼 彼氏 "
    "彼女 相方 義母 義父 姑 舅 甥 姪 いとこ 従兄弟 親戚 家族 赤 赤ちゃん 坊 ぼう ちび チビ "
    "はは ちち あに あね おとうと いもうと むすこ むすめ まご よめ おっと つま "
    "ばあ ばば ばあば ばーば じい じじ じいじ じーじ かあ かか とう にい ねえ にぃ ねぇ "
    "ば じ おば おじ ママ パパ ババ ジジ ばあちゃん じいちゃん "
    "友達 ともだち 友人 知人 近所 きんじょ 隣 となり 隣人 大家 おおや 家主 管理人 "
    "ケアマネ ケアマネージャー ケアマネジャー ヘルパー ケースワーカー ワーカー "
    "ソーシャルワーカー ケースワーカ 民生委員 民生 みんせい みんせいいいん 先生 せんせい "
    "医者 いしゃ 看護師 かんごし 看護婦 保健師 ほけんし 相談員 支援員 職員 担当 担当者 "
    "たんとう 社長 店長 上司 同僚 役所 市役所 警察 まわり 巡査 弁護士 司法書士 保護司 "
    "保育士 ほいくし 園長 校長 教頭 担任 たんにん 業者 客 きゃく みんな みな 皆 だれ 誰 "
    "やつ あいつ こいつ そいつ 人 ひと 方 かた 女 男 上 下 あなた 自分 うち"
)
_ROLES = frozenset(hiragana_to_katakana(word) for word in _ROLE_WORDS.split())

_KANA_ONLY = re.compile(r"[ぁ-ゖァ-ヺー]+")


def _is_role(word: str) -> bool:
    folded = hiragana_to_katakana(word)
    return folded in _ROLES or (folded[:1] in ("オ", "ゴ", "御") and folded[1:] in _ROLES)


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """The four cities and their districts: a 人名 reading of these is kept without a cue."""
    from bot.nlu.city_districts import all_districts

    names = {"宇部", "益田", "久留米", "富士", "うべ", "ますだ", "くるめ", "ふじ"}
    for district in all_districts():
        names.update(district.names)
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Morpheme:
    """A Sudachi morpheme: normalised ``surface``, ``start``/``end`` in the original text."""

    surface: str
    start: int
    end: int
    pos: tuple[str, ...]
    normalized_start: int


def _morphemes(normalized: NormalizedText) -> list[Morpheme]:
    """Sudachi (mode C) over the normalised text already made for the shape rules.

    ``surface_morphemes`` skips readings and a second normalisation, which names do not need;
    that matters on long messages because masking runs the analysis at least twice.
    """
    morphemes: list[Morpheme] = []
    for begin, end, pos in surface_morphemes(normalized, "C"):
        start, stop = normalized.original_span(begin, end)
        morphemes.append(Morpheme(normalized.text[begin:end], start, stop, pos, begin))
    return morphemes


# --- the cues ------------------------------------------------------------------------------


def _is_noun(morpheme: Morpheme) -> bool:
    return morpheme.pos[0] == "名詞" and morpheme.pos[1] not in ("代名詞", "数詞")


def _is_proper(morpheme: Morpheme) -> bool:
    return morpheme.pos[0] == "名詞" and morpheme.pos[1] == "固有名詞"


def _is_person(morpheme: Morpheme) -> bool:
    return _is_proper(morpheme) and len(morpheme.pos) > 2 and morpheme.pos[2] == "人名"


def _is_kana(morpheme: Morpheme) -> bool:
    return _KANA_ONLY.fullmatch(morpheme.surface) is not None


def _name_like(morpheme: Morpheme) -> bool:
    """A part a name can be made of before a cue: kana nouns (and お/ご) or proper nouns."""
    if _is_kana(morpheme):
        return _is_noun(morpheme) or morpheme.pos[0] == "接頭辞"
    return _is_proper(morpheme)


def _separated_by_space(text: str, before: Morpheme, after: Morpheme) -> bool:
    gap = text[before.end : after.start]
    return gap == "" or gap.isspace()


def _run_before(text: str, ms: list[Morpheme], index: int) -> int:
    """First index of the run of name-like morphemes attached just before ``ms[index]``.

    The run must touch ``ms[index]``; inside the run whitespace is allowed (山田 花子さん).
    """
    first = index
    while first > 0 and index - first < _MAX_NAME_PARTS:
        candidate = ms[first - 1]
        if first == index and candidate.end != ms[index].start:
            break
        if first < index and not _separated_by_space(text, candidate, ms[first]):
            break
        if not _name_like(candidate):
            break
        first -= 1
    return first


def name_spans(text: str, normalized: NormalizedText) -> list[tuple[int, int]]:
    """Spans of ``text`` that are person names, adjacent parts merged, sorted."""
    ms = _morphemes(normalized)
    places = _place_names()
    names: list[tuple[int, int]] = []

    def add(first: int, last: int) -> None:
        parts = ms[first:last]
        if not parts:
            return
        words = "".join(m.surface for m in parts)
        if words in _NOT_A_NAME or _is_role(words):
            return
        if any(_is_role(m.surface) for m in parts if not _is_person(m)):
            return
        names.append((parts[0].start, parts[-1].end))

    for i, m in enumerate(ms):
        following = ms[i + 1] if i + 1 < len(ms) else None
        attached = following is not None and following.start == m.end
        honorific = attached and following is not None and following.surface in _HONORIFICS
        if _is_person(m):
            single_kana = len(m.surface) == 1 and _is_kana(m)
            if honorific or (m.surface not in places and not single_kana):
                add(i, i + 1)
        if _KATAKANA_ONLY.fullmatch(m.surface):
            for suffix in _GLUED_HONORIFICS:
                prefix = m.surface[: -len(suffix)]
                if m.surface.endswith(suffix) and len(prefix) > 1 and not _is_role(prefix):
                    start = m.normalized_start
                    names.append(normalized.original_span(start, start + len(prefix)))
                    break
        if m.surface in _HONORIFICS and i > 0:
            first = _run_before(text, ms, i)
            run = ms[first:i]
            if run and (
                any(_is_proper(p) for p in run) or len("".join(p.surface for p in run)) > 1
            ):
                add(first, i)
        if (
            m.surface == "と"
            and i + 2 < len(ms)
            and ms[i + 1].surface in _INTRO_VERBS
            and ms[i + 2].surface == "ます"
            and (i + 3 >= len(ms) or ms[i + 3].surface != "か")
        ):
            add(_run_before(text, ms, i), i)
        if m.surface in _NAME_LABELS and following is not None:
            j = i + 1
            if ms[j].surface in _LABEL_PARTICLES:
                j += 1
            last = j
            while last < len(ms) and last - j < _MAX_NAME_PARTS and _is_noun(ms[last]):
                if last > j and not _separated_by_space(text, ms[last - 1], ms[last]):
                    break
                last += 1
            if j > i + 1:
                add(j, last)

    names.sort()
    merged: list[list[int]] = []
    for start, end in names:
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start].isspace()):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
