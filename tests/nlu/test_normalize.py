"""Normalisation must unify spellings while keeping every span traceable to the original."""

from __future__ import annotations

import pytest

from bot.nlu.normalize import (
    fold,
    hiragana_to_katakana,
    katakana_to_hiragana,
    normalize_with_offsets,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ｼｬｯｷﾝ", "シャッキン"),
        ("Ｌｉｎｅ", "Line"),
        ("①", "1"),
        ("ｶﾞｽ代", "ガス代"),
        ("ﾊﾟﾝ", "パン"),
        ("㌔", "キロ"),
        ("か゛す", "がす"),
    ],
)
def test_nfkc_unifies_width_and_compatibility_forms(raw: str, expected: str) -> None:
    """Half-width kana, full-width Latin, circled digits and squared words get one shape."""
    assert normalize_with_offsets(raw).text == expected


def test_voiced_half_width_kana_maps_to_both_source_characters() -> None:
    """ｶﾞ is two characters that become one: its span must cover both, nothing more."""
    nt = normalize_with_offsets("ｶﾞｽ代")
    assert nt.text == "ガス代"
    assert nt.original_span(0, 1) == (0, 2)
    assert nt.original_span(1, 2) == (2, 3)
    assert nt.original_span(0, 3) == (0, 4)


def test_expanding_unit_maps_every_output_character_to_the_whole_unit() -> None:
    """㌔ -> キロ: a span over just キ still slices a whole character of the original."""
    nt = normalize_with_offsets("約㌔")
    assert nt.text == "約キロ"
    assert nt.original_span(1, 2) == (1, 2)
    assert nt.original_span(2, 3) == (1, 2)
    assert nt.original_span(0, 3) == (0, 2)


def test_whitespace_runs_collapse_and_keep_line_breaks() -> None:
    """Runs of spaces (including U+3000 and tabs) become one space; runs with a newline, one
    newline, and the span of the collapsed character covers the whole run."""
    raw = "借金\u3000 \tが\r\n\nある"
    nt = normalize_with_offsets(raw)
    assert nt.text == "借金 が\nある"
    assert nt.original_span(2, 3) == (2, 5)
    assert nt.original_span(4, 5) == (6, 9)


def test_control_and_invisible_characters_are_dropped_but_offsets_skip_them() -> None:
    """NUL, bell and zero-width spaces vanish; following characters keep their true index."""
    raw = "借\x00金\u200bです\x07"
    nt = normalize_with_offsets(raw)
    assert nt.text == "借金です"
    assert [raw[nt.original_span(i, i + 1)[0]] for i in range(len(nt.text))] == list("借金です")


def test_every_output_character_points_into_the_original() -> None:
    """For a messy mix, each normalised character comes from a span whose NFKC contains it."""
    raw = "ｶﾞｽ代が払えない😢 ＬＩＮＥで相談①㌔"
    nt = normalize_with_offsets(raw)
    assert len(nt.offsets) == len(nt.ends) == len(nt.text)
    for index, char in enumerate(nt.text):
        start, end = nt.original_span(index, index + 1)
        assert char in normalize_with_offsets(raw[start:end]).text


def test_empty_span_and_end_of_text() -> None:
    """An empty span at the end maps to the original length (used for cursor positions)."""
    nt = normalize_with_offsets("ｶﾞ")
    assert nt.original_span(1, 1) == (2, 2)
    with pytest.raises(IndexError):
        nt.original_span(0, 2)


def test_empty_text() -> None:
    """Empty input is a valid message, not an error."""
    nt = normalize_with_offsets("")
    assert (nt.text, nt.offsets, nt.ends) == ("", [], [])


def test_kana_conversion_round_trip() -> None:
    """Hiragana and katakana convert both ways; ー, 、 and kanji are left alone."""
    assert hiragana_to_katakana("ひきこもり、ゞ引き") == "ヒキコモリ、ヾ引キ"
    assert katakana_to_hiragana("ヒキコモリー") == "ひきこもりー"
    assert katakana_to_hiragana(hiragana_to_katakana("しゃっきん")) == "しゃっきん"


def test_fold_joins_kana_width_and_latin_case() -> None:
    """Rule layers match しゃっきん, シャッキン, ｼｬｯｷﾝ and LINE, ｌｉｎｅ the same way."""
    assert fold("しゃっきん") == fold("シャッキン") == fold("ｼｬｯｷﾝ") == "シャッキン"
    assert fold("ＬＩＮＥで") == fold("lineで") == "lineデ"
