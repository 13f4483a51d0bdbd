"""Server-side charts (issue 10): PNGs drawn with a Japanese font that is really installed.

Protected behaviour: a Japanese font is found on this machine and has the glyphs the labels
use (DejaVu would draw boxes); drawing every chart raises no "glyph missing" warning; each
chart, with data or without, is a PNG; and with no Japanese font at all the module fails with
a message that names the package to install instead of drawing boxes.
"""

from __future__ import annotations

import warnings
from datetime import date

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from bot.analytics import charts
from bot.analytics.queries import CategoryWeek, Combination, FallbackCount, Funnel, UnmetNeed

PNG = b"\x89PNG\r\n\x1a\n"
FUNNEL = Funnel(100, 80, 70, 30, 22, 20, 10, 18, 25, 40, 22)


def test_the_japanese_font_has_the_glyphs_the_charts_use() -> None:
    family = charts.japanese_font()
    path = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    charmap = FT2Font(path).get_charmap()
    for char in "相談件数介護・高齢曜時月日狭間ひきこもり":
        assert ord(char) in charmap, (family, path, char)


def all_charts() -> list[bytes]:
    weekly = [CategoryWeek(2026, 15, "ube", "housing", 3), CategoryWeek(2026, 16, "ube", "debt", 2)]
    grid = [[0] * 24 for _ in range(7)]
    grid[4][22] = 3
    return [
        charts.weekly_chart(weekly, "分野別・週別の相談件数"),
        charts.combinations_chart([Combination(("debt", "elderly_care"), 4)], "組み合わせ"),
        charts.funnel_chart(FUNNEL, "相談の流れ"),
        charts.crisis_heatmap(grid, "危機の曜日・時間帯"),
        charts.unmet_chart([UnmetNeed("ube", "hikikomori", True, 5, 5)], "制度の狭間"),
        charts.fallback_chart(
            [FallbackCount("ube", 50, {"nlu_fallback": 4, "out_of_scope": 1, "low_confidence": 2})],
            "理解できなかった相談",
        ),
    ]


def test_every_chart_is_a_png_without_missing_glyphs() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        images = all_charts()
    missing = [str(w.message) for w in caught if "missing from current font" in str(w.message)]
    assert missing == []
    for image in images:
        assert image.startswith(PNG)
        assert len(image) > 5_000  # a drawn chart, not an empty canvas


def test_empty_data_still_gives_a_chart_that_says_so() -> None:
    empty = Funnel(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    images = [
        charts.weekly_chart([], "空"),
        charts.combinations_chart([], "空"),
        charts.funnel_chart(empty, "空"),
        charts.crisis_heatmap([[0] * 24 for _ in range(7)], "空"),
        charts.unmet_chart([], "空"),
        charts.fallback_chart([], "空"),
    ]
    assert all(image.startswith(PNG) for image in images)


def test_no_japanese_font_fails_with_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(charts, "KNOWN_FAMILIES", ("No Such Family",))
    monkeypatch.setattr(charts, "_fontconfig_files", lambda: [])
    with pytest.raises(charts.JapaneseFontMissing, match="fonts-ipafont-gothic"):
        charts.japanese_font.__wrapped__()


def test_labels_are_japanese() -> None:
    assert charts.city_label("ube") == "宇部市"
    assert charts.city_label(None) == "市町村不明"
    assert charts.category_label("elderly_care") == "介護・高齢"
    assert date(2026, 4, 6).isoweekday() == 1 and charts.WEEKDAY_LABELS[0] == "月"
