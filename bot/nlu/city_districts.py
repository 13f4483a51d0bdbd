"""Districts and former towns of the four pilot cities, for the city rule layer.

Why a table: residents often name where they live by the old town or the school district
(「田主丸に住んでる」「旧楠町」「鷹岡で」), not by the city, and the city decides which office
helps them.  The names come from the cities' plans where they name districts, and otherwise
from the well-known municipal mergers (久留米: 田主丸・北野・城島・三潴 in 2005; 益田: 美都・匹見
in 2004; 宇部: 楠 in 2004; 富士: 吉原・鷹岡 in 1966, 富士川 in 2008) and the cities' 校区 and
地区 names.

``alone`` says whether the name can stand on its own.  Names that are also surnames, common
words or places elsewhere (北野 in 京都, 高津 in 川崎, 吉原 in 東京, 楠 the tree, 安田 the
surname) are ``alone=False``: they need a cue (旧…町, …地区, …に住んで, or the city's own
prefecture in front) and no other prefecture in the message.  A kana reading is listed only
where it is not an everyday word (みと is 水戸, こうなん is 湖南, so they are left out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlu.normalize import fold

__all__ = [
    "CURRENT_TOWNS_ELSEWHERE",
    "DISTRICTS",
    "OTHER_PLACES",
    "OWN_CUES",
    "PREFECTURES",
    "District",
    "find_districts",
]


@dataclass(frozen=True)
class District:
    """A district or former town; ``names`` in kanji and hiragana (folded when compiled)."""

    code: str
    names: tuple[str, ...]
    alone: bool


def _d(code: str, alone: bool, *names: str) -> District:
    return District(code, names, alone)


DISTRICTS: tuple[District, ...] = (
    # --- 久留米市: former towns (2005) and 校区 -------------------------------------------
    _d("kurume", True, "田主丸", "たぬしまる", "三潴"),
    _d("kurume", False, "城島", "じょうじま", "北野"),
    _d("kurume", True, "高良内", "こうらうち", "宮ノ陣", "宮の陣", "みやのじん"),
    _d("kurume", True, "長門石", "ながといし", "西牟田", "にしむた", "小森野"),
    _d("kurume", False, "善導寺", "ぜんどうじ", "大善寺", "だいぜんじ"),
    _d("kurume", False, "荘島", "南薫", "津福", "御井"),
    # --- 益田市: former towns (2004) and 地区 --------------------------------------------
    _d("masuda", True, "匹見", "ひきみ", "都茂", "西益田", "にしますだ"),
    _d("masuda", True, "北仙道", "東仙道", "鎌手", "かまて"),
    _d("masuda", False, "美都", "高津", "安田", "真砂", "道川"),
    # --- 宇部市: former 楠町 (2004) and 校区 ----------------------------------------------
    _d("ube", True, "西岐波", "にしきわ", "東岐波", "ひがしきわ", "岐波"),
    _d("ube", True, "厚南", "厚東", "二俣瀬", "ふたまたせ", "万倉", "まぐら", "吉部"),
    _d("ube", True, "琴芝", "ことしば", "鵜の島"),
    _d("ube", False, "楠", "くすのき", "船木", "ふなき", "藤山", "恩田"),
    # --- 富士市: former 吉原市・鷹岡町 (1966), 富士川町 (2008), and 地区 ---------------------
    _d("fuji", True, "鷹岡", "元吉原", "もとよしわら", "田子の浦", "田子浦", "たごのうら"),
    _d("fuji", True, "入山瀬", "いりやませ", "須津", "吉原中央"),
    _d("fuji", False, "吉原", "よしわら", "富士川", "ふじかわ", "岩松", "今泉"),
    _d("fuji", False, "伝法", "大淵", "天間", "吉永"),
)

#: Name + 町 that is another municipality today (富士川町 in 山梨県, 安田町 in 高知県); 旧… is ours.
CURRENT_TOWNS_ELSEWHERE: frozenset[str] = frozenset({"富士川町", "ふじかわちょう", "安田町"})

#: The city's own prefecture and name: 「福岡の城島」「静岡県の吉原」 place a cue-needing name.
OWN_CUES: dict[str, tuple[str, ...]] = {
    "kurume": ("福岡", "久留米", "くるめ"),
    "masuda": ("島根", "益田", "ますだ"),
    "ube": ("山口", "宇部", "うべ"),
    "fuji": ("静岡", "富士", "ふじ"),
}

_ELSEWHERE_PREFECTURES = (
    "北海道",
    "青森",
    "岩手",
    "宮城",
    "秋田",
    "山形",
    "福島",
    "茨城",
    "栃木",
    "群馬",
    "埼玉",
    "千葉",
    "東京",
    "神奈川",
    "新潟",
    "富山",
    "石川",
    "福井",
    "山梨",
    "長野",
    "岐阜",
    "愛知",
    "三重",
    "滋賀",
    "京都",
    "大阪",
    "兵庫",
    "奈良",
    "和歌山",
    "鳥取",
    "岡山",
    "広島",
    "徳島",
    "香川",
    "愛媛",
    "高知",
    "佐賀",
    "長崎",
    "熊本",
    "大分",
    "宮崎",
    "鹿児島",
    "沖縄",
)

#: Prefectures.  A cue-needing district in a message that names another prefecture is elsewhere.
PREFECTURES: dict[str, str] = {
    name: code
    for code, names in {
        "kurume": ("福岡",),
        "masuda": ("島根",),
        "ube": ("山口",),
        "fuji": ("静岡",),
        "": _ELSEWHERE_PREFECTURES,
    }.items()
    for name in names
}

#: Big cities and landmarks that carry a district name elsewhere (川崎市高津区, 北野天満宮).
OTHER_PLACES: tuple[str, ...] = (
    "川崎",
    "横浜",
    "神戸",
    "名古屋",
    "札幌",
    "仙台",
    "浅草",
    "台東",
    "天満宮",
    "天神",
    "溝の口",
    "溝口",
    "四日市",
    "別府",
    "水戸",
)


# --------------------------------------------------------------------------------------------
# Matching on folded text (NFKC, katakana, lower-case), as in bot.nlu.city_rules.

_KANJI = "一-龥々ヶ"
_KANA = "ァ-ヺ"
_IS_KANA = re.compile(rf"[{_KANA}ー]+")
_KANJI_BEFORE_OK = "旧市県"
_SUFFIX_CUE = re.compile(fold(r"^(?:町|地区|地域|校区|小学校区|方面|駅)"))
_KANA_AFTER_OK = re.compile(
    fold(
        rf"^(?:[^{_KANA}]|$|に|で|の|は|も|へ|から|が|と|や|まで|だ|です|ん(?:とこ|ち)|ら(?:へん|辺))"
    )
)
_KANA_PARTICLES_BEFORE = fold("はのもにでがとへをや")
_RESIDENCE_AFTER = re.compile(
    fold(
        r"^(?:町|地区|地域)?(?:に|で|へ)?(?:住|すん|すま|在住|暮ら|くら|引っ越|引越|ひっこ|転居|"
        r"移住|移り住|越して|育ち|生まれ)"
    )
)
_MUNICIPALITY_BEFORE = re.compile(rf"([{_KANJI}]{{1,6}}(?:市|区|町|村|郡))(?:の)?$")


def _bounded(before: str, after: str, kana: bool) -> bool:
    """The name is a word of its own, not part of a longer word (楠木, 高津区, 来たの)."""
    if kana:
        left_ok = not before or not _IS_KANA.fullmatch(before[-1])
        left_ok = left_ok or before[-1] in _KANA_PARTICLES_BEFORE
        return left_ok and bool(_KANA_AFTER_OK.match(after))
    left_ok = not before or not re.match(rf"[{_KANJI}]", before[-1])
    left_ok = left_ok or before[-1] in _KANJI_BEFORE_OK
    right_ok = not after or not re.match(rf"[{_KANJI}]", after[0])
    return left_ok and (right_ok or bool(_SUFFIX_CUE.match(after)))


def _elsewhere(before: str, after: str, name: str, code: str) -> bool:
    """Another municipality in front (川崎市高津区) or a same-named town elsewhere (富士川町)."""
    own = tuple(fold(cue) for cue in OWN_CUES[code])
    municipality = _MUNICIPALITY_BEFORE.search(before)
    if municipality and not any(cue in municipality.group(1) for cue in own):
        return True
    folded_towns = {fold(town) for town in CURRENT_TOWNS_ELSEWHERE}
    return (
        name + fold("町") in folded_towns
        and after.startswith(fold("町"))
        and not (before.endswith(fold("旧")))
    )


def _conflicting_place(folded: str, code: str) -> bool:
    """The message names another prefecture or a big city that has this district name too."""
    others = [fold(p) for p, c in PREFECTURES.items() if c != code]
    others += [fold(p) for p in OTHER_PLACES]
    return any(place in folded for place in others)


def _cued(before: str, after: str, code: str) -> bool:
    """旧…, …地区/町, …に住んで, or the city's own prefecture or name just in front."""
    if before.endswith(fold("旧")) or _SUFFIX_CUE.match(after) or _RESIDENCE_AFTER.match(after):
        return True
    own = "|".join(re.escape(fold(cue)) for cue in OWN_CUES[code])
    return bool(re.search(rf"(?:{own})(?:{fold('県')}|{fold('市')})?(?:の)?$", before))


def find_districts(folded: str) -> list[tuple[int, int, str]]:
    """(start, end, city code) for each district or former town named in folded text."""
    found: list[tuple[int, int, str]] = []
    for district in DISTRICTS:
        for raw_name in district.names:
            name = fold(raw_name)
            kana = bool(_IS_KANA.fullmatch(name))
            for match in re.finditer(re.escape(name), folded):
                start, end = match.span()
                before, after = folded[:start], folded[end:]
                if not _bounded(before, after, kana):
                    continue
                if _elsewhere(before, after, name, district.code):
                    continue
                cued = _cued(before, after, district.code)
                if district.alone or (cued and not _conflicting_place(folded, district.code)):
                    found.append((start, end, district.code))
    return found
