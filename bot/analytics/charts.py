"""Server-side charts for the analysts' report: matplotlib (Agg) → PNG bytes, one per query.

Why matplotlib on the server: the report must stand alone (a file handed round at a 庁内連携会議,
opened offline) and the console must not load a chart library into a page that residents'
data passes near. Each chart is drawn on its own ``Figure`` (no pyplot global state, so the
console can draw from several requests at once) inside an ``rc_context`` with a Japanese font.

The font must really be on the machine: Japanese labels in DejaVu come out as empty boxes,
which is worse than failing. ``japanese_font`` looks for a known Japanese family in
matplotlib's font list, then asks fontconfig (``fc-list :lang=ja``) for a file, registers it,
and raises ``JapaneseFontMissing`` with the package to install when there is none.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot.analytics.queries import (  # noqa: E402
    FALLBACK_REASONS,
    CategoryWeek,
    Combination,
    FallbackCount,
    Funnel,
    UnmetNeed,
)
from bot.categories import CATEGORIES, CATEGORY_LABELS  # noqa: E402
from bot.directory import default_directory  # noqa: E402

__all__ = [
    "FALLBACK_LABELS",
    "FUNNEL_LABELS",
    "WEEKDAY_LABELS",
    "JapaneseFontMissing",
    "category_label",
    "city_label",
    "combinations_chart",
    "crisis_heatmap",
    "fallback_chart",
    "funnel_chart",
    "japanese_font",
    "unmet_chart",
    "weekly_chart",
]

#: Families tried first, in order (Debian's fonts-ipafont-gothic, fonts-ipaexfont, Noto CJK…).
KNOWN_FAMILIES = (
    "IPAexGothic",
    "IPAGothic",
    "IPAPGothic",
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "Source Han Sans JP",
    "TakaoGothic",
    "VL Gothic",
)
INSTALL_HINT = "apt-get install fonts-ipafont-gothic（make browser が入れます）"

WEEKDAY_LABELS = ("月", "火", "水", "木", "金", "土", "日")
FUNNEL_LABELS = {
    "started": "会話開始",
    "worry_recognised": "困りごとを認識",
    "window_shown": "窓口を案内",
    "handoff_offered": "職員への引き継ぎを提案",
    "handoff_accepted": "引き継ぎを希望",
    "consent_given": "同意あり",
    "consent_refused": "辞退・取り消し",
    "ticket_created": "受付票を作成",
    "abandoned": "途中で離脱",
}
FALLBACK_LABELS = {
    "nlu_fallback": "理解できず",
    "out_of_scope": "対象外の話題",
    "low_confidence": "確信度が低い",
}
# Okabe–Ito: told apart with the common colour-vision differences, and in grey print.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
    "#000000",
    "#999999",
)
WIDTH_INCHES = 8.0
DPI = 100


class JapaneseFontMissing(RuntimeError):
    """No Japanese font on this machine: charts would show boxes instead of labels."""


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)


def city_label(code: str | None) -> str:
    """宇部市… for the four, その他 for a city outside them, 不明 when never given."""
    if code is None:
        return "市町村不明"
    if code == "other":
        return "その他の市町村"
    entry = default_directory().city(code)
    return entry.name if entry is not None else code


def _fontconfig_files() -> list[Path]:
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=ja", "file"], capture_output=True, text=True, timeout=20, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = [Path(line.split(":")[0].strip()) for line in out.splitlines() if line.strip()]
    # Gothic (sans) reads better in charts than Mincho; proportional last.
    return sorted(
        (f for f in files if f.suffix.lower() in (".ttf", ".otf", ".ttc") and f.exists()),
        key=lambda f: ("goth" not in f.name.lower() and "ipag" not in f.name.lower(), f.name),
    )


@functools.lru_cache(maxsize=1)
def japanese_font() -> str:
    """The family name of an installed Japanese font, registered with matplotlib."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in KNOWN_FAMILIES:
        if family in installed:
            return family
    for path in _fontconfig_files():
        try:
            font_manager.fontManager.addfont(str(path))
            return str(font_manager.FontProperties(fname=str(path)).get_name())
        except (OSError, RuntimeError, ValueError):
            continue
    raise JapaneseFontMissing(f"日本語フォントが見つかりません。グラフを描くには {INSTALL_HINT}")


@contextmanager
def _figure(height: float) -> Iterator[Figure]:
    with matplotlib.rc_context(
        {"font.family": [japanese_font()], "font.size": 10, "axes.unicode_minus": False}
    ):
        figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
        FigureCanvasAgg(figure)
        yield figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _empty(figure: Figure, title: str) -> bytes:
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.text(0.5, 0.5, "この期間のデータはありません", ha="center", va="center", fontsize=12)
    axes.set_axis_off()
    return _png(figure)


def weekly_chart(rows: Sequence[CategoryWeek], title: str) -> bytes:
    """Stacked bars: messages per ISO week, one colour per category (all cities in scope)."""
    with _figure(4.2) as figure:
        if not rows:
            return _empty(figure, title)
        weeks = sorted({(r.iso_year, r.iso_week) for r in rows})
        present = [c for c in CATEGORIES if any(r.category == c for r in rows)]
        totals = {(r.iso_year, r.iso_week, r.category): 0 for r in rows}
        for r in rows:
            totals[(r.iso_year, r.iso_week, r.category)] += r.count
        axes = figure.add_subplot()
        bottoms = [0] * len(weeks)
        positions = range(len(weeks))
        for i, category in enumerate(present):
            heights = [totals.get((y, w, category), 0) for y, w in weeks]
            axes.bar(
                positions,
                heights,
                bottom=bottoms,
                color=PALETTE[i % len(PALETTE)],
                label=category_label(category),
            )
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        axes.set_xticks(list(positions))
        axes.set_xticklabels([f"{y}-W{w:02d}" for y, w in weeks], rotation=45, ha="right")
        axes.set_ylabel("メッセージ数")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title)
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)


def combinations_chart(rows: Sequence[Combination], title: str, top: int = 12) -> bytes:
    """Horizontal bars: the most frequent combinations of worries, by conversations."""
    shown = list(rows[:top])
    with _figure(0.9 + 0.35 * max(len(shown), 3)) as figure:
        if not shown:
            return _empty(figure, title)
        axes = figure.add_subplot()
        labels = ["＋".join(category_label(c) for c in r.categories) for r in shown]
        axes.barh(range(len(shown)), [r.conversations for r in shown], color=PALETTE[0])
        axes.set_yticks(range(len(shown)))
        axes.set_yticklabels(labels)
        axes.invert_yaxis()
        axes.set_xlabel("会話数")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)


def funnel_chart(data: Funnel, title: str) -> bytes:
    """Horizontal bars: conversations at each funnel step, with the count at the bar's end."""
    steps = data.steps
    with _figure(3.6) as figure:
        if data.started == 0:
            return _empty(figure, title)
        axes = figure.add_subplot()
        values = [n for _, n in steps]
        colours = [
            PALETTE[3] if name in ("abandoned", "consent_refused") else PALETTE[0]
            for name, _ in steps
        ]
        bars = axes.barh(range(len(steps)), values, color=colours)
        axes.bar_label(bars, padding=3)
        axes.set_yticks(range(len(steps)))
        axes.set_yticklabels([FUNNEL_LABELS[name] for name, _ in steps])
        axes.invert_yaxis()
        axes.set_xlabel("会話数")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)


def crisis_heatmap(grid: Sequence[Sequence[int]], title: str) -> bytes:
    """Heatmap: crisis messages by weekday (rows, 月…日) and JST hour (columns, 0–23)."""
    with _figure(3.4) as figure:
        if not any(any(row) for row in grid):
            return _empty(figure, title)
        axes = figure.add_subplot()
        image = axes.imshow(grid, aspect="auto", cmap="Reds", vmin=0)
        axes.set_yticks(range(7))
        axes.set_yticklabels(WEEKDAY_LABELS)
        axes.set_xticks(range(24))
        axes.set_xticklabels([str(h) for h in range(24)])
        axes.set_xlabel("時刻（日本時間、時）")
        peak = max(max(row) for row in grid)
        for day, row in enumerate(grid):
            for hour, n in enumerate(row):
                if n:
                    colour = "white" if n > peak * 0.6 else "black"
                    axes.text(hour, day, str(n), ha="center", va="center", fontsize=7, color=colour)
        bar = figure.colorbar(image, ax=axes, label="件数")
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
        axes.set_title(title)
        return _png(figure)


def unmet_chart(rows: Sequence[UnmetNeed], title: str) -> bytes:
    """Paired horizontal bars per city × category: asked where a gap, and left unrouted."""
    with _figure(0.9 + 0.42 * max(len(rows), 3)) as figure:
        if not rows or not any(r.gap_messages or r.unrouted_messages for r in rows):
            return _empty(figure, title)
        axes = figure.add_subplot()
        labels = [f"{city_label(r.city)}　{category_label(r.category)}" for r in rows]
        y = list(range(len(rows)))
        axes.barh(
            [i - 0.2 for i in y],
            [r.gap_messages for r in rows],
            height=0.4,
            color=PALETTE[1],
            label="狭間の分野への相談",
        )
        axes.barh(
            [i + 0.2 for i in y],
            [r.unrouted_messages for r in rows],
            height=0.4,
            color=PALETTE[3],
            label="専門窓口に届かなかった相談",
        )
        axes.set_yticks(y)
        axes.set_yticklabels(labels)
        axes.invert_yaxis()
        axes.set_xlabel("メッセージ数")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title, pad=28)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)


def fallback_chart(rows: Sequence[FallbackCount], title: str) -> bytes:
    """Stacked bars per city: messages the bot did not understand, by reason."""
    with _figure(3.6) as figure:
        if not rows or not any(r.not_understood for r in rows):
            return _empty(figure, title)
        axes = figure.add_subplot()
        x = list(range(len(rows)))
        bottoms = [0] * len(rows)
        for i, reason in enumerate(FALLBACK_REASONS):
            heights = [r.reasons.get(reason, 0) for r in rows]
            axes.bar(
                x,
                heights,
                bottom=bottoms,
                color=PALETTE[(i + 3) % len(PALETTE)],
                label=FALLBACK_LABELS[reason],
            )
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        axes.set_xticks(x)
        axes.set_xticklabels([city_label(r.city) for r in rows])
        axes.set_ylabel("メッセージ数")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title)
        axes.legend(frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)
