"""``intake analytics consume|purge`` (registered by ``bot/cli.py``).

``consume`` runs beside the Rasa servers (``make run`` starts it with the SQL source); it
migrates the analytic tables first, so a new deployment needs no separate step. Output is
counts only: never an event, a text or a sender id.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import OperationalError

from bot.settings import Settings, load_settings

logger = logging.getLogger(__name__)

# After SIGTERM, how long the RabbitMQ consumer may take to finish its batch.
GRACE_SECONDS = 10.0


def _store(settings: Settings) -> Any:
    from bot.analytics.migrate import upgrade_analytics
    from bot.analytics.store import AnalyticsStore

    upgrade_analytics(settings.analytics_database_url)
    return AnalyticsStore(settings.analytics_database_url, salt=settings.analytics_salt or "")


def _consume(args: argparse.Namespace) -> int:
    from bot.analytics.consumer import ConsumeStats, consume_sql
    from bot.analytics.sources import SqlEventSource

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = load_settings()
    source = args.source or ("rabbitmq" if settings.rabbitmq_url else "sql")
    if source == "rabbitmq" and not settings.rabbitmq_url:
        print("エラー / error: RABBITMQ_URL (or RABBITMQ_HOST) is not set", file=sys.stderr)
        return 2
    try:
        store = _store(settings)
    except ValueError as error:  # the salt: missing or too short
        print(f"エラー / error: {error}", file=sys.stderr)
        return 2
    except OperationalError as error:
        print(f"分析データベースに接続できません / cannot reach: {type(error.orig).__name__}")
        return 3
    stats: ConsumeStats
    try:
        if source == "sql":
            stop = threading.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            events = SqlEventSource(settings.event_broker_db_url)
            try:
                stats = consume_sql(
                    store, events, batch_size=args.batch_size, once=args.once, stop=stop
                )
            finally:
                events.dispose()
        else:
            try:
                stats = asyncio.run(_run_rabbitmq(store, settings, args))
            except asyncio.CancelledError:
                print("analytics consume (rabbitmq): stopped without finishing its batch")
                return 0
    finally:
        store.dispose()
    print(
        f"analytics consume ({source}): batches={stats.batches} events={stats.events} "
        f"messages_inserted={stats.messages_inserted} skipped={stats.skipped} "
        f"reconnects={stats.reconnects}"
    )
    return 0


async def _run_rabbitmq(store: Any, settings: Settings, args: argparse.Namespace) -> Any:
    from bot.analytics.consumer import consume_rabbitmq

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()

    def shutdown() -> None:
        # Finish the batch in hand; if a dead connection keeps it waiting, give up on it (it
        # was not acknowledged, so RabbitMQ delivers it again).
        stop.set()
        if main is not None:
            loop.call_later(GRACE_SECONDS, main.cancel)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, shutdown)
    return await consume_rabbitmq(
        store,
        settings.rabbitmq_url or "",
        settings.analytics_queue,
        batch_size=args.batch_size,
        once=args.once,
        stop=stop,
    )


def _purge(args: argparse.Namespace) -> int:
    from bot.analytics.purge import purge_analytics
    from bot.tickets.engine import make_engine

    settings = load_settings()
    days = settings.analytics_retention_days if args.older_than is None else args.older_than
    if days < 1:
        print("エラー / error: --older-than >= 1", file=sys.stderr)
        return 2
    engine = make_engine(settings.analytics_database_url)
    try:
        result = purge_analytics(engine, timedelta(days=days))
    except OperationalError as error:
        print(f"分析データベースに接続できません / cannot reach: {type(error.orig).__name__}")
        return 3
    finally:
        engine.dispose()
    print(
        f"削除しました / deleted: messages={result.messages} "
        f"conversations={result.conversations} labels={result.labels} (older than {days} days)"
    )
    return 0


def register(subparsers: Any) -> None:
    """Add ``analytics consume`` and ``analytics purge`` to the ``intake`` parser."""
    parser = subparsers.add_parser("analytics", help="分析データ / analytics pipeline")
    commands = parser.add_subparsers(dest="analytics_command", metavar="ACTION")
    commands.required = True
    consume = commands.add_parser(
        "consume", help="Rasa のイベントを分析表へ / ingest Rasa's event broker"
    )
    consume.add_argument(
        "--source",
        choices=("rabbitmq", "sql"),
        help="rabbitmq (RABBITMQ_URL が設定されていれば既定) または sql (endpoints.yml)",
    )
    consume.add_argument("--once", action="store_true", help="たまった分だけ処理して終了")
    consume.add_argument("--batch-size", type=int, default=200, help="1 トランザクションの件数")
    consume.set_defaults(handler=_consume)
    purge = commands.add_parser("purge", help="保存期間を過ぎた分析データの削除")
    purge.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        help="これより古い行を削除 (既定 ANALYTICS_RETENTION_DAYS=400)",
    )
    purge.set_defaults(handler=_purge)
