"""``intake purge``: delete what is past its retention (registered by ``bot/cli.py``).

Meant to run once a day (cron or a systemd timer, see the README); it prints counts only.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import OperationalError

from bot.retention.purge import purge
from bot.settings import load_settings


def _purge(args: argparse.Namespace) -> int:
    settings = load_settings()
    days = settings.retention_days if args.older_than is None else args.older_than
    hours = (
        settings.declined_retention_hours if args.declined_hours is None else args.declined_hours
    )
    if days < 1 or hours < 0:
        print("エラー / error: --older-than >= 1, --declined-hours >= 0", file=sys.stderr)
        return 2
    try:
        report = purge(
            settings.tracker_db_url,
            settings.var_dir / "outbox",
            older_than=timedelta(days=days),
            declined_after=timedelta(hours=hours),
            dry_run=args.dry_run,
        )
    except OperationalError as error:
        print(
            f"会話データベースに接続できません / cannot reach the tracker database: "
            f"{type(error.orig).__name__ if error.orig else type(error).__name__}",
            file=sys.stderr,
        )
        return 3
    verb = "削除対象 / would delete" if report.dry_run else "削除しました / deleted"
    print(
        f"{verb}: events={report.events} conversations={report.conversations} "
        f"declined={report.declined_conversations} outbox_files={report.outbox_files} "
        f"(older than {days} days; declined consent after {hours} h)"
    )
    return 0


def register(subparsers: Any) -> None:
    """Add ``purge`` to the ``intake`` parser."""
    parser = subparsers.add_parser(
        "purge", help="保存期間を過ぎた会話の削除 / delete conversations past retention"
    )
    parser.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        help="これより古い会話を削除 (既定 RETENTION_DAYS=90) / days to keep conversations",
    )
    parser.add_argument(
        "--declined-hours",
        type=int,
        metavar="HOURS",
        help="同意しなかった会話の保存時間 (既定 DECLINED_RETENTION_HOURS=24)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="件数だけ表示 / only print what would be deleted"
    )
    parser.set_defaults(handler=_purge)
