"""``intake report``: the analysts' report for a city's planning meeting, as HTML or CSV.

    intake report --city ube --since 2026-04-01 [--until 2026-06-30] --format html|csv
                  [--output F]

Reads the analytic tables at ``ANALYTICS_DATABASE_URL`` (default: the ticket database), never
the ticket store's personal fields. Without ``--output`` the report goes to standard output
(bytes as written to a file: the CSV keeps its BOM). Registered by ``bot/cli.py``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

from bot.analytics.events import CITY_CODES, JST
from bot.analytics.schema import MessageRow
from bot.settings import load_settings
from bot.tickets.engine import make_engine

__all__ = ["register", "render"]

ALL_CITIES = "all"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日付は YYYY-MM-DD で / not a date: {text!r}") from None


def register(subparsers: Any) -> None:
    """Add ``report`` to the ``intake`` parser."""
    parser = subparsers.add_parser(
        "report", help="分析レポート（HTML・CSV）/ analysts' report for a city"
    )
    parser.add_argument(
        "--city",
        choices=[*CITY_CODES, ALL_CITIES],
        default=ALL_CITIES,
        help="市町村コード（既定 all = 全市町村）/ city code",
    )
    parser.add_argument(
        "--since", type=_date, required=True, help="開始日 YYYY-MM-DD（日本時間、この日を含む）"
    )
    parser.add_argument("--until", type=_date, help="終了日 YYYY-MM-DD（この日を含む、既定は今日）")
    parser.add_argument("--format", choices=["html", "csv"], default="html", help="出力形式")
    parser.add_argument("--output", type=Path, help="出力ファイル（既定は標準出力）/ output file")
    parser.set_defaults(handler=_report)


def render(url: str, city: str | None, since: date, until: date, fmt: str) -> bytes:
    """The report as the bytes of a file in ``fmt`` (``html`` or ``csv``)."""
    from bot.analytics.report import build_report
    from bot.analytics.report_csv import render_csv
    from bot.analytics.report_html import render_html

    engine = make_engine(url)
    try:
        if not inspect(engine).has_table(MessageRow.__tablename__):
            raise LookupError(url)
        report = build_report(engine, city, since, until)
    finally:
        engine.dispose()
    return render_csv(report) if fmt == "csv" else render_html(report).encode("utf-8")


def _report(args: argparse.Namespace) -> int:
    from bot.analytics.charts import JapaneseFontMissing

    settings = load_settings()
    until = args.until or datetime.now(JST).date()
    if until < args.since:
        print("エラー / error: --until は --since 以降の日付にしてください", file=sys.stderr)
        return 2
    city = None if args.city == ALL_CITIES else args.city
    try:
        data = render(settings.analytics_database_url, city, args.since, until, args.format)
    except LookupError:
        print(
            "分析用テーブルがありません。先に集計を始めてください（intake analytics …）"
            " / the analytic tables are not there yet",
            file=sys.stderr,
        )
        return 3
    except DBAPIError as error:
        print(
            "分析用データベースに接続できません / cannot reach the analytics database: "
            f"{type(error.orig).__name__ if error.orig else type(error).__name__}",
            file=sys.stderr,
        )
        return 3
    except JapaneseFontMissing as error:
        print(f"エラー / error: {error}", file=sys.stderr)
        return 4
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(data)
        print(f"書き出しました / written: {args.output} ({len(data):,} bytes)", file=sys.stderr)
    return 0
