"""Sudachi analysis: exact spans into the sent text, lemmas, readings, long input."""

from __future__ import annotations

import pytest

from bot.nlu.sudachi import CHUNK_MAX_BYTES, SudachiAnalyzer, chunk_bounds

SUDACHI_MAX_BYTES = 49_149


@pytest.fixture(scope="module")
def analyzer() -> SudachiAnalyzer:
    return SudachiAnalyzer("C")


def assert_exact_spans(text: str, analyzer: SudachiAnalyzer) -> None:
    morphemes = analyzer.analyze(text)
    assert morphemes
    for m in morphemes:
        assert text[m.start : m.end] == m.surface
    starts = [m.start for m in morphemes]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    "text",
    [
        "ｶﾞｽ代が払えない😢 LINEで相談",
        "ＬＩＮＥで相談したい。Ｗｉ－Ｆｉがない",
        "ｼｬｯｷﾝ　が\t\tあります\r\n次の方",
        "家賃3万円、ｸﾚｼﾞｯﾄｶｰﾄﾞの支払い①②も",
        "👨‍👩‍👧家族😢😢",
    ],
)
def test_spans_index_the_original_text(text: str, analyzer: SudachiAnalyzer) -> None:
    """text[start:end] == surface for every morpheme, whatever normalisation did."""
    assert_exact_spans(text, analyzer)


def test_half_width_voiced_kana_span_covers_both_characters(analyzer: SudachiAnalyzer) -> None:
    """ｶﾞｽ代 is 4 characters in the original although normalised ガス代 has 3."""
    first = analyzer.analyze("ｶﾞｽ代が払えない😢 LINEで相談")[0]
    assert (first.surface, first.start, first.end, first.normalized) == ("ｶﾞｽ代", 0, 4, "ガス代")


def test_whitespace_is_dropped(analyzer: SudachiAnalyzer) -> None:
    """Spaces are separators, not tokens."""
    surfaces = [m.surface for m in analyzer.analyze("借金　が  ある\n")]
    assert surfaces == ["借金", "が", "ある"]


def test_normalized_form_is_the_lemma(analyzer: SudachiAnalyzer) -> None:
    """Inflected verbs and kana spellings map to Sudachi's normalized dictionary form."""
    by_surface = {m.surface: m for m in analyzer.analyze("ガス代が払えない")}
    assert by_surface["払え"].normalized == "払う"
    assert by_surface["払え"].dictionary_form == "払える"
    assert analyzer.analyze("ひきこもってる")[0].normalized == "引き籠もる"
    assert by_surface["払え"].pos[0] == "動詞"


def test_reading_text_joins_kanji_kana_and_half_width(analyzer: SudachiAnalyzer) -> None:
    """借金 / しゃっきん / ｼｬｯｷﾝ all read シャッキン, though Sudachi splits しゃっきん as
    しゃっ/き/ん and its normalized form keeps the kana apart from 借金."""
    kana = analyzer.analyze("しゃっきんで困ってます")
    assert [m.surface for m in kana][:3] == ["しゃっ", "き", "ん"]
    assert all(m.normalized != "借金" for m in kana)
    for text in ["借金で困ってます", "しゃっきんで困ってます", "ｼｬｯｷﾝで困ってます"]:
        assert "シャッキン" in analyzer.reading_text(text)


def test_reading_joins_hikikomori_spellings(analyzer: SudachiAnalyzer) -> None:
    """ひきこもり, 引きこもり and 引き籠もり share one reading."""
    readings = {analyzer.reading_text(t) for t in ["ひきこもり", "引きこもり", "引き籠もり"]}
    assert readings == {"ヒキコモリ"}


def test_symbols_digits_and_latin_readings(analyzer: SudachiAnalyzer) -> None:
    """Where Sudachi reads a symbol as キゴウ or digits one by one, the surface is used."""
    readings = {m.surface: m.reading for m in analyzer.analyze("（300万）😢 LINE")}
    assert readings["（"] == "("
    assert readings["300万"] == "300万"
    assert readings["😢"] == "😢"
    assert readings["LINE"] == "ライン"


def test_reading_text_keeps_user_whitespace_as_one_space(analyzer: SudachiAnalyzer) -> None:
    """Words the user separated stay separated in the reading string."""
    assert analyzer.reading_text("借金\u3000\u3000ある") == "シャッキン アル"


def test_empty_and_emoji_only(analyzer: SudachiAnalyzer) -> None:
    """Empty text gives no morphemes; emoji-only text is analysed, not an error."""
    assert analyzer.analyze("") == []
    assert analyzer.reading_text("") == ""
    assert analyzer.analyze("   \n") == []
    emoji = analyzer.analyze("😢🙏")
    assert "".join(m.surface for m in emoji) == "😢🙏"


def test_ten_thousand_characters(analyzer: SudachiAnalyzer) -> None:
    """A 10,000-character message (30 KB) is analysed with exact spans to the end."""
    text = ("借金があって生活が苦しいです。" * 700)[:10_000]
    assert len(text) == 10_000
    morphemes = analyzer.analyze(text)
    assert morphemes[-1].end == len(text) or text[morphemes[-1].end :].strip() == ""
    assert_exact_spans(text, analyzer)


def test_text_over_sudachi_byte_limit(analyzer: SudachiAnalyzer) -> None:
    """Input over 49,149 bytes would raise "Input is too long" in Sudachi; chunks fix that
    and spans stay exact at the very end, even with half-width kana shifting offsets."""
    text = "ｶﾞｽ代が払えない。" * 3_000 + "最後はLINEで相談"
    assert len(text.encode("utf-8")) > SUDACHI_MAX_BYTES
    morphemes = analyzer.analyze(text)
    assert [m.surface for m in morphemes[-5:]] == ["最後", "は", "LINE", "で", "相談"]
    assert morphemes[-1].end == len(text)
    assert_exact_spans(text, analyzer)


def test_text_without_sentence_ends_is_hard_split(analyzer: SudachiAnalyzer) -> None:
    """One 60 KB run without punctuation still tokenises (hard split inside the run)."""
    text = "あ" * 20_000
    assert len(text.encode("utf-8")) > SUDACHI_MAX_BYTES
    morphemes = analyzer.analyze(text)
    assert "".join(m.surface for m in morphemes) == text


def test_chunks_prefer_sentence_ends_and_never_split_clusters() -> None:
    """Chunks stay under the byte budget, end after 。 when possible, and keep a ZWJ emoji
    sequence together when a hard split is needed."""
    text = "あいう。えお" * 4
    bounds = chunk_bounds(text, max_bytes=20)
    assert "".join(text[s:e] for s, e in bounds) == text
    assert all(len(text[s:e].encode("utf-8")) <= 20 for s, e in bounds)
    assert all(text[e - 1] == "。" for _, e in bounds[:-1])
    family = "👨\u200d👩\u200d👧"
    text = "a" * 9 + family
    bounds = chunk_bounds(text, max_bytes=20)
    assert "".join(text[s:e] for s, e in bounds) == text
    family_start = text.index(family)
    cuts = {e for _, e in bounds[:-1]}
    assert not cuts & set(range(family_start + 1, family_start + len(family)))
    assert CHUNK_MAX_BYTES < SUDACHI_MAX_BYTES


def test_split_modes_differ_on_compounds() -> None:
    """Mode A splits 支援制度 into 支援/制度; mode C keeps it as one unit."""
    text = "生活困窮者自立支援制度"
    a = [m.surface for m in SudachiAnalyzer("A").analyze(text)]
    c = [m.surface for m in SudachiAnalyzer("C").analyze(text)]
    assert "支援制度" in c and "支援制度" not in a
    assert "".join(a) == "".join(c) == text
    assert len(a) > len(c)


def test_invalid_split_mode_is_rejected() -> None:
    """A typo in config fails at load time, not silently with mode C."""
    with pytest.raises(ValueError):
        SudachiAnalyzer("D")
    assert SudachiAnalyzer("a").split_mode == "A"
