"""``intake export-nlu`` and ``intake inbox`` (registered by ``bot/cli.py``).

``export-nlu`` writes the analysts' labelled messages as Rasa NLU YAML for review
(``bot.analytics.export_nlu``); ``inbox`` prints the unmet-need inbox's clusters for a quick
look from a terminal (the console shows the same and is where labels are given, with the
analyst's login as "who"). Both read only the analytic tables: masked text, no ticket data.

The database is the analytics one (``Settings.analytics_database_url``: ``ANALYTICS_DATABASE_URL``,
else the ticket store's ``DATABASE_URL``; the analytic tables may share it).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.analytics.clustering import DEFAULT_DISTANCE_THRESHOLD
from bot.analytics.export_nlu import export_nlu
from bot.analytics.inbox import REVIEW_CONFIDENCE, build_inbox
from bot.settings import load_settings

__all__ = ["register"]


def _database_url() -> str:
    settings = load_settings()
    return settings.analytics_database_url


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日付は YYYY-MM-DD で指定してください: {value!r}"
        ) from None


def _scope_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--city", help="市のコード（ube, masuda, kurume, fuji…）。省略で全市")
    parser.add_argument("--since", type=_date, help="この日から（日本時間、YYYY-MM-DD）")
    parser.add_argument("--until", type=_date, help="この日まで（日本時間、含む）")


def _database_error(error: Exception) -> int:
    orig = getattr(error, "orig", None)
    print(
        "分析用データベースを読めません（接続先か intake analytics のマイグレーションを確認）"
        f" / cannot read the analytics database: {type(orig or error).__name__}",
        file=sys.stderr,
    )
    return 3


def _export(args: argparse.Namespace) -> int:
    try:
        result = export_nlu(_database_url(), city=args.city, since=args.since, until=args.until)
    except (OperationalError, ProgrammingError) as error:
        return _database_error(error)
    if args.output:
        path = Path(args.output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.yaml, encoding="utf-8")
    else:
        sys.stdout.write(result.yaml)
    examples = sum(len(texts) for texts in result.intents.values())
    print(
        f"ラベル付きメッセージ {result.messages} 件 → 意図 {len(result.intents)} 個、"
        f"例文 {examples} 件" + (f"（{args.output}）" if args.output else ""),
        file=sys.stderr,
    )
    return 0


def _inbox(args: argparse.Namespace) -> int:
    try:
        inbox = build_inbox(
            _database_url(),
            city=args.city,
            since=args.since,
            until=args.until,
            threshold=args.confidence,
            distance_threshold=args.distance,
            examples=args.examples,
        )
    except (OperationalError, ProgrammingError) as error:
        return _database_error(error)
    clusters = [c for c in inbox.clusters if args.all or c.open]
    total = sum(c.size for c in inbox.clusters)
    print(f"未対応の相談 {total} 件、まとまり {len(inbox.clusters)} 個（表示 {len(clusters)} 個）")
    for cluster in clusters[: args.limit]:
        terms = "・".join(cluster.top_terms) or "（内容語なし）"
        labels = ", ".join(f"{k} {v}" for k, v in cluster.labels.items()) or "なし"
        print(f"\n[{cluster.key}] {cluster.size}件  {terms}")
        print(f"  ラベル: {labels}（{cluster.labelled}/{cluster.size}件）")
        for example in cluster.examples:
            print(f"  - {example}")
    return 0


def register(subparsers: Any) -> None:
    export = subparsers.add_parser(
        "export-nlu",
        help="ラベル付きの未対応メッセージを Rasa NLU の YAML に書き出す（確認用）",
        description="分析担当者がラベルを付けたメッセージを Rasa NLU 学習データ形式で書き出します。"
        "マスク済みの文だけです。学習データに入れる前に確認してください。",
    )
    _scope_arguments(export)
    export.add_argument("--output", "-o", help="書き出すファイル（省略で標準出力）")
    export.set_defaults(handler=_export)

    inbox = subparsers.add_parser(
        "inbox",
        help="未対応の相談（フォールバック・確信度の低いメッセージ）のまとまりを表示する",
    )
    _scope_arguments(inbox)
    inbox.add_argument("--examples", type=int, default=3, help="まとまりごとの例文の数")
    inbox.add_argument("--limit", type=int, default=30, help="表示するまとまりの数")
    inbox.add_argument("--all", action="store_true", help="ラベル付け済みのまとまりも表示")
    inbox.add_argument(
        "--confidence",
        type=float,
        default=REVIEW_CONFIDENCE,
        help=f"この確信度未満を未対応とみなす（既定 {REVIEW_CONFIDENCE}）",
    )
    inbox.add_argument(
        "--distance",
        type=float,
        default=DEFAULT_DISTANCE_THRESHOLD,
        help=f"まとめるコサイン距離のしきい値（既定 {DEFAULT_DISTANCE_THRESHOLD}）",
    )
    inbox.set_defaults(handler=_inbox)
