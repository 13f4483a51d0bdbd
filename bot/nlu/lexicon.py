"""A small reading lexicon for each worry category.

The statistical models learn most wording from the training data; this list catches the words
that carry a worry on their own but may be spelt in ways training never showed (kana-only,
half-width, dialect endings). Patterns are matched against the katakana reading of the whole
message, so one entry covers kanji, hiragana and katakana spellings. Keep entries unambiguous:
a word that often means something else (手帳 is also 母子手帳) does not belong here.

The services and benefits residents name instead of a worry (住居確保給付金, ショートステイ)
join this list from ``data/services.yml`` (``bot.nlu.services``), so the catalogue is kept in one
place with its sources.
"""

from __future__ import annotations

import functools
import re

from bot.nlu.services import service_readings

CATEGORY_READINGS: dict[str, tuple[str, ...]] = {
    "housing": (
        "ヤチン",
        "スムトコロ",
        "スムイエ",
        "スムバショ",
        "スマイガ",
        "スマイヲ",
        "タイキョ",
        "タチノキ",
        "オイダサ",
        "デテイケトイワレ",
        "ホームレス",
        "ネルトコロ",
        "ノジュク",
        "ジュウキョ",
        "ネットカフェデネ",
        "ヤドナシ",
    ),
    "debt": (
        "シャッキン",
        "シャッキン",
        "サラキン",
        "ヤミキン",
        "リボ",
        "トクソク",
        "トリタテ",
        "ヘンサイ",
        "サイム",
        "ジコハサン",
        "ショウヒシャキンユウ",
        "キャッシング",
        "カードローン",
        "サイムセイリ",
    ),
    "income": (
        "シツギョウ",
        "ムショク",
        "リストラ",
        "カイコサレ",
        "セイカツホゴ",
        "シュウニュウ",
        "ショトクガ",
        "キュウリョウガ",
        "テドリ",
        "セイカツヒ",
        "タベルモノガナ",
        "トウサン",
        "ヤトイドメ",
        "ハケンギリ",
        "シゴトヲウシナ",
        "シゴトガナクナ",
        "シゴトガミツカラ",
        "シゴトヲクビ",
        "オカネガナ",
        "オカネガタリ",
        "カネガナイ",
        "デンキガトマ",
        "ガスガトマ",
        "スイドウガトマ",
        "デンキヲトメ",
        "ガスヲトメ",
        "スイドウヲトメ",
        "ライフライン",
        "ハケンギレ",
    ),
    "childcare": (
        "コソダテ",
        "イクジ",
        "ニンシン",
        "シュッサン",
        "ホイクエン",
        "ホイクショ",
        "フトウコウ",
        "ヤングケアラー",
        "アカチャン",
        "ニュウジ",
        "トウコウキョヒ",
        "ガッコウニイカ",
        "ガッコウニイケ",
        "ヨナキ",
        "ニンプ",
        "サンゴウツ",
        "ツワリ",
    ),
    "hikikomori": (
        "ヒキコモ",
        "ヒッキー",
        "ヘヤニコモ",
        "ヘヤカラデ",
        "イエカラデラレ",
        "イエカラデナ",
        "ソトニデラレ",
        "ソトニデナ",
        "ハチマルゴーマル",
    ),
    "elderly_care": (
        "カイゴ",
        "ニンチショウ",
        "ボケテ",
        "ハイカイ",
        "ロウジンホーム",
        "シセツニュウショ",
        "ヨウカイゴ",
        "ケアマネ",
        "デイサービス",
        "ネタキリ",
        "モノワスレ",
        "ロウロウ",
        "コウレイ",
        "トシヨリ",
    ),
    "disability": (
        "ショウガイシャ",
        "ショウガイネンキン",
        "ショウガイテチョウ",
        "ショウガイフクシ",
        "ハッタツショウガイ",
        "チテキショウガイ",
        "セイシンショウガイ",
        "シンタイショウガイ",
        "ショウガイガア",
        "ショウガイノアル",
        "ジヘイショウ",
        "アスペルガー",
        "トウゴウシッチョウ",
        "シュウロウケイゾク",
        "リョウイク",
        "クルマイス",
        "ショウガイジ",
        "ハッタツノオクレ",
        "フジユウ",
        "ハンシンマヒ",
        "セイシンカ",
    ),
    "abuse_dv": (
        "ギャクタイ",
        "ボウリョク",
        "ディーブイ",
        "ナグラ",
        "ナグル",
        "タタカレ",
        "タタイテ",
        "ケラレ",
        "モラハラ",
        "ドナラレ",
        "ストーカー",
        "ボウゲン",
    ),
    "isolation": (
        "コドク",
        "コリツ",
        "ハナシアイテ",
        "サビシ",
        "ヒトリボッチ",
        "タヨレルヒト",
        "タヨレル ヒト",
        "キンジョヅキアイ",
        "キンジョヅキアイ",
        "トモダチガイナ",
        "ダレモイナ",
        "ダレトモハナサ",
        "ソウダンデキルヒトガイナ",
        "ツナガリガナ",
    ),
}

_LATIN_PATTERNS: dict[str, re.Pattern[str]] = {
    "abuse_dv": re.compile(r"(?<![a-z])dv(?![a-z])", re.IGNORECASE),
    "disability": re.compile(r"(?<![a-z])(adhd|asd)(?![a-z])", re.IGNORECASE),
}


@functools.lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    """One pattern over every word (the list above and the catalogue's service names).

    Longest words first and non-overlapping matches, so a name inside a longer one does not
    count apart: 放課後等デイサービス (a child's disability) is not also デイサービス (care).
    """
    categories_of: dict[str, set[str]] = {}
    for source in (CATEGORY_READINGS, service_readings()):
        for code, words in source.items():
            for word in words:
                categories_of.setdefault(word.replace(" ", ""), set()).add(code)
    ordered = sorted(categories_of, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(word) for word in ordered))
    return pattern, {word: frozenset(codes) for word, codes in categories_of.items()}


def lexicon_hits(reading: str) -> set[str]:
    """Categories whose lexicon words occur in a katakana reading (Latin kept as written)."""
    compact = reading.replace(" ", "")
    pattern, categories_of = _matcher()
    hits = {code for match in pattern.finditer(compact) for code in categories_of[match.group()]}
    hits |= {code for code, pattern in _LATIN_PATTERNS.items() if pattern.search(reading)}
    return hits
