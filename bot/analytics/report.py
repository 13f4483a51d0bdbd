"""The analysts' report: the queries as titled tables with their charts, for one city or all.

``build_report`` runs every query of ``bot.analytics.queries`` for one ``Scope`` and turns each
result into a ``Section``: a Japanese title, a note saying what is counted, a plain table
(header + rows of strings and numbers) and the chart drawn from the same numbers. The table is
the source of truth and the chart its picture, so the HTML (``report_html``) shows them side
by side and the CSV (``report_csv``) is the tables alone; the console can reuse the sections.

Tables never hold text a resident wrote (not even masked): a planning meeting's handout
needs counts, and the unmet-need inbox is where analysts read masked messages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TypeAlias

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from bot.analytics import charts, queries
from bot.analytics.charts import FALLBACK_LABELS, FUNNEL_LABELS, WEEKDAY_LABELS, city_label
from bot.analytics.charts import category_label as cat
from bot.analytics.events import JST
from bot.analytics.queries import FALLBACK_REASONS, Scope
from bot.categories import CATEGORIES
from bot.directory import Directory, default_directory
from bot.tickets.engine import as_engine

__all__ = ["Cell", "Report", "Section", "build_report", "percent"]

Cell: TypeAlias = str | int | float | None
Source: TypeAlias = Session | Connection | Engine | str


@dataclass(frozen=True)
class Section:
    """One query's result: what it counts, its table, and its chart (PNG) with alt text."""

    key: str
    title: str
    note: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: bytes | None = None
    alt: str = ""
    row_headers: bool = True  # the first column names the row (<th scope="row">)


@dataclass(frozen=True)
class Report:
    """Everything a planning meeting's handout shows, independent of the output format."""

    city: str | None
    since: date
    until: date
    generated_at: datetime
    summary: list[tuple[str, Cell]]
    sections: list[Section] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"相談ボット 分析レポート（{self.place}）"

    @property
    def place(self) -> str:
        return "全市町村" if self.city is None else city_label(self.city)

    @property
    def period(self) -> str:
        return f"{self.since.isoformat()} 〜 {self.until.isoformat()}（日本時間）"


def percent(value: float | None) -> str:
    """12.3% — or ― when the denominator was zero (a rate of nothing is not 0%)."""
    return "―" if value is None else f"{value * 100:.1f}%"


def _weekly(reader: Session | Connection, scope: Scope) -> Section:
    rows = queries.category_week_counts(reader, scope)
    present = [c for c in CATEGORIES if any(r.category == c for r in rows)]
    table: dict[tuple[str, str | None], dict[str, int]] = defaultdict(dict)
    for r in rows:
        table[(r.week, r.city)][r.category] = r.count
    body: list[list[Cell]] = []
    for (week, city), counts in sorted(
        table.items(), key=lambda item: (item[0][0], queries.city_order(item[0][1]))
    ):
        values = [counts.get(c, 0) for c in present]
        body.append([week, city_label(city), *values, sum(values)])
    title = "分野別・週別の相談件数"
    return Section(
        key="weekly",
        title=title,
        note="住民のメッセージで認識した困りごとの分野を、ISO週（月曜始まり、日本時間）と"
        "市町村ごとに数えています。1通に2分野あれば両方に数えます。",
        columns=["週", "市町村", *[cat(c) for c in present], "合計"],
        rows=body,
        chart=charts.weekly_chart(rows, title),
        alt=f"{title}の積み上げ棒グラフ。週ごとに分野別の件数を積み上げています。"
        "数値は隣の表と同じです。",
    )


def _combinations(reader: Session | Connection, scope: Scope) -> Section:
    rows = queries.compound_combinations(reader, scope)
    title = "複合した困りごとの組み合わせ"
    top = "、".join("＋".join(cat(c) for c in r.categories) for r in rows[:3])
    return Section(
        key="combinations",
        title=title,
        note="ひとつの会話で2つ以上の分野が出たものを、組み合わせごとに会話数で数えています"
        "（多い順）。複数の窓口の連携（重層的支援）が要る相談です。",
        columns=["組み合わせ", "分野数", "会話数"],
        rows=[
            ["＋".join(cat(c) for c in r.categories), len(r.categories), r.conversations]
            for r in rows
        ],
        chart=charts.combinations_chart(rows, title),
        alt=f"{title}の横棒グラフ（上位12件）。"
        + (f"多い順に {top}。" if top else "データはありません。"),
    )


def _funnel(reader: Session | Connection, scope: Scope, now: datetime) -> list[Section]:
    data = queries.funnel(reader, scope, now=now)
    title = "相談の流れ（ファネル）"
    steps: list[list[Cell]] = [
        [FUNNEL_LABELS[name], n, percent(queries.rate(n, data.started))] for name, n in data.steps
    ]
    definitions = [
        (
            "containment",
            "自己解決率",
            "窓口を案内し、職員への引き継ぎを希望しなかった会話 ÷ 会話開始",
        ),
        (
            "escalation",
            "引き継ぎ率",
            "職員への引き継ぎを希望した（受付の質問が始まった）会話 ÷ 会話開始",
        ),
        ("acceptance", "提案の受け入れ率", "引き継ぎを希望 ÷ 引き継ぎを提案した会話"),
        ("consent", "同意率", "同意あり ÷ 引き継ぎを提案した会話"),
        ("ticket", "受付率", "受付票を作成 ÷ 引き継ぎを提案した会話"),
        (
            "abandonment",
            "離脱率",
            "窓口の案内も受付票も辞退もないまま30分以上途切れた会話 ÷ 会話開始",
        ),
    ]
    return [
        Section(
            key="funnel",
            title=title,
            note="期間中に始まった会話を、各段階に達したかで数えています。割合は会話開始に対する"
            "ものです。",
            columns=["段階", "会話数", "会話開始に対する割合"],
            rows=steps,
            chart=charts.funnel_chart(data, title),
            alt=f"{title}の横棒グラフ。会話開始 {data.started} 件、窓口を案内 "
            f"{data.window_shown} 件、受付票を作成 {data.ticket_created} 件。",
        ),
        Section(
            key="rates",
            title="自己解決率・引き継ぎ率・離脱率",
            note="Rasa・Dialogflow・Chatwoot の指標（containment・escalation・abandonment）に"
            "合わせた定義です。分母が0のときは「―」です。",
            columns=["指標", "値", "定義"],
            rows=[[label, percent(data.rates[key]), rule] for key, label, rule in definitions],
        ),
    ]


def _crisis(reader: Session | Connection, scope: Scope) -> Section:
    grid = queries.crisis_by_hour_weekday(reader, scope)
    title = "危機に関わる相談の曜日・時間帯"
    total = sum(map(sum, grid))
    by_hour = [sum(row[h] for row in grid) for h in range(24)]
    peak = max(range(24), key=lambda h: by_hour[h]) if total else None
    return Section(
        key="crisis",
        title=title,
        note="自殺・虐待などの危機を検知したメッセージを、曜日と時刻（日本時間）で数えています。"
        "窓口や電話相談の開いていない時間帯に多ければ、夜間・休日の相談先の案内が要ります。",
        columns=["曜日", *[f"{h}時" for h in range(24)], "計"],
        rows=[[f"{WEEKDAY_LABELS[d]}曜", *grid[d], sum(grid[d])] for d in range(7)],
        chart=charts.crisis_heatmap(grid, title),
        alt=f"{title}のヒートマップ。合計 {total} 件"
        + (f"、最も多い時間帯は {peak}時台。" if peak is not None else "。"),
    )


def _unmet(reader: Session | Connection, scope: Scope, directory: Directory) -> Section:
    rows = queries.unmet_needs(reader, scope, directory)
    title = "制度の狭間にある相談（専門窓口がない分野）"
    return Section(
        key="unmet",
        title=title,
        note="「狭間の分野」は、市の窓口一覧で専門窓口がなく多機関協働の窓口へつなぐ分野です。"
        "「専門窓口に届かなかった相談」は、ボットが答えたときにその分野の専門窓口がなかった"
        "メッセージの数です。",
        columns=["市町村", "分野", "狭間", "狭間の分野への相談", "専門窓口に届かず"],
        rows=[
            [
                city_label(r.city),
                cat(r.category),
                "はい" if r.is_gap else "いいえ",
                r.gap_messages,
                r.unrouted_messages,
            ]
            for r in rows
        ],
        chart=charts.unmet_chart(rows, title),
        alt=f"{title}の横棒グラフ。市町村と分野ごとに、狭間の分野への相談と専門窓口に"
        "届かなかった相談の件数を並べています。数値は隣の表と同じです。",
    )


def _fallback(reader: Session | Connection, scope: Scope) -> Section:
    rows = queries.fallback_counts(reader, scope)
    title = "ボットが理解できなかった相談"
    return Section(
        key="fallback",
        title=title,
        note="住民が書いたメッセージ（ボタンを除く）のうち、ボットが理解できなかったもの、"
        "福祉の対象外と判断したもの、確信度が低いまま答えたもの。新しいニーズの手がかりです。",
        columns=[
            "市町村",
            "住民のメッセージ",
            *[FALLBACK_LABELS[r] for r in FALLBACK_REASONS],
            "合計",
            "割合",
        ],
        rows=[
            [
                city_label(r.city),
                r.messages,
                *[r.reasons.get(x, 0) for x in FALLBACK_REASONS],
                r.not_understood,
                percent(queries.rate(r.not_understood, r.messages)),
            ]
            for r in rows
        ],
        chart=charts.fallback_chart(rows, title),
        alt=f"{title}の積み上げ棒グラフ。市町村ごとに理由別の件数を積み上げています。",
    )


def build_report(
    source: Source,
    city: str | None,
    since: date,
    until: date,
    *,
    now: datetime | None = None,
    directory: Directory | None = None,
) -> Report:
    """Run every query for ``city`` (None: all) and the JST dates ``since``–``until``."""
    scope = Scope(city, since, until)
    now = now or datetime.now(timezone.utc)
    directory = directory or default_directory()
    if isinstance(source, (Session, Connection)):
        return _build(source, scope, now, directory)
    engine = as_engine(source)
    try:
        with Session(engine, future=True) as session:
            return _build(session, scope, now, directory)
    finally:
        if isinstance(source, str):
            engine.dispose()


def _build(
    reader: Session | Connection, scope: Scope, now: datetime, directory: Directory
) -> Report:
    funnel_sections = _funnel(reader, scope, now)
    fallback = _fallback(reader, scope)
    crisis = _crisis(reader, scope)
    written = sum(int(row[1] or 0) for row in fallback.rows)
    started = int(funnel_sections[0].rows[0][1] or 0)
    crisis_total = sum(int(row[-1] or 0) for row in crisis.rows)
    sections = [
        _weekly(reader, scope),
        _combinations(reader, scope),
        *funnel_sections,
        crisis,
        _unmet(reader, scope, directory),
        fallback,
    ]
    summary: list[tuple[str, Cell]] = [
        ("対象", "全市町村" if scope.city is None else city_label(scope.city)),
        ("期間", f"{scope.since.isoformat()} 〜 {scope.until.isoformat()}"),
        ("会話数", started),
        ("住民のメッセージ数（ボタンを除く）", written),
        ("危機を検知したメッセージ", crisis_total),
        ("作成日時", now.astimezone(JST).strftime("%Y-%m-%d %H:%M")),
    ]
    return Report(scope.city, scope.since, scope.until, now, summary, sections)
