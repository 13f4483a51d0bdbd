"""``intake user|token|db|outbox`` subcommands (registered by ``bot/cli.py``).

Passwords are read from stdin (``--password-stdin``) or an interactive prompt, never from the
command line, where they would end up in shell history and ``ps``. Tokens are printed once on
stdout and nothing else is, so ``intake token create NAME > file`` captures only the token.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import OperationalError

from bot.settings import load_settings
from bot.tickets.domain import Role
from bot.tickets.errors import TicketError
from bot.tickets.migrate import current_revision, head_revision, upgrade_database
from bot.tickets.outbox import Outbox, drain_once
from bot.tickets.store import TicketStore

Handler = Callable[[argparse.Namespace], int]


def _store() -> TicketStore:
    settings = load_settings()
    return TicketStore.from_settings(settings)


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _guarded(handler: Handler) -> Handler:
    """Turn expected refusals into a message and exit status instead of a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except TicketError as error:
            _err(f"エラー / error: {error}")
            return 1
        except OperationalError as error:
            _err(
                "データベースに接続できません / cannot reach the database: "
                f"{type(error.orig).__name__ if error.orig else type(error).__name__}"
            )
            return 3

    return run


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("パスワード / password: ")
    if getpass.getpass("もう一度 / again: ") != first:
        _err("パスワードが一致しません / passwords do not match")
        return None
    return first


# --- user ---------------------------------------------------------------------------------


def _user_add(args: argparse.Namespace) -> int:
    password = _read_password(args)
    if password is None:
        return 1
    user = _store().create_user(
        args.name,
        password,
        role=args.role,
        city=args.city,
        window_id=args.window,
        display_name=args.display_name,
        can_view_analytics=args.analytics,
    )
    scope = user.window_id or f"{user.city} 全体 / whole city"
    extra = ", +analytics" if user.can_view_analytics else ""
    print(
        f"ユーザー {user.username} ({user.role.value}, {scope}{extra}) を作成しました"
        " / user created"
    )
    return 0


def _user_analytics(args: argparse.Namespace) -> int:
    user = _store().set_analytics_access(args.name, args.access == "grant")
    state = "使えます / granted" if user.can_view_analytics else "使えません / withdrawn"
    print(f"ユーザー {user.username} は分析画面を{state}")
    return 0


def _user_list(args: argparse.Namespace) -> int:
    for user in _store().list_users(city=args.city):
        state = "disabled" if user.disabled else "active"
        analytics = "analytics" if user.sees_analytics else "-"
        line = [user.username, user.role.value, user.city, user.window_id or "-", state, analytics]
        print("\t".join(line))
    return 0


def _user_disable(args: argparse.Namespace) -> int:
    user = _store().disable_user(args.name)
    print(f"ユーザー {user.username} を無効にしました / user disabled")
    return 0


def _user_password(args: argparse.Namespace) -> int:
    password = _read_password(args)
    if password is None:
        return 1
    _store().set_password(args.name, password)
    print("パスワードを変更しました / password changed")
    return 0


# --- token --------------------------------------------------------------------------------


def _token_create(args: argparse.Namespace) -> int:
    days = args.days if args.days is not None else load_settings().api_token_days
    new = _store().create_api_token(args.name, label=args.label, days=days)
    _err(
        f"トークンID {new.info.id} を {new.info.username} に発行しました。"
        "この表示は一度きりです / token shown once, store it now:"
    )
    print(new.token)
    return 0


def _token_list(args: argparse.Namespace) -> int:
    for info in _store().list_api_tokens(args.name):
        state = f"revoked {info.revoked_at:%Y-%m-%d}" if info.revoked_at else "active"
        created = f"{info.created_at:%Y-%m-%d}"
        expires = f"expires {info.expires_at:%Y-%m-%d}" if info.expires_at else "no expiry"
        used = (
            f"last used {info.last_used_at:%Y-%m-%d %H:%M}" if info.last_used_at else "never used"
        )
        line = [str(info.id), f"{info.prefix}…", info.label or "-", created, expires, used, state]
        print("\t".join(line))
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    store = _store()
    if args.user:
        count = store.revoke_all_api_tokens(args.user)
        print(f"{count} 件のトークンを失効させました / {count} token(s) revoked")
    elif args.token_id is not None:
        info = store.revoke_api_token(args.token_id)
        print(f"トークン {info.id} ({info.username}) を失効させました / token revoked")
    else:
        _err("トークンID か --user を指定してください / give a token id or --user NAME")
        return 2
    return 0


# --- db and outbox ------------------------------------------------------------------------


def _db_upgrade(args: argparse.Namespace) -> int:
    upgrade_database(load_settings().database_url, args.revision)
    print(f"データベースを {args.revision} まで更新しました / database upgraded to {args.revision}")
    return 0


def _db_current(_args: argparse.Namespace) -> int:
    current = current_revision(load_settings().database_url)
    print(f"current={current or '-'} head={head_revision()}")
    return 0 if current == head_revision() else 1


def _outbox_flush(_args: argparse.Namespace) -> int:
    """One delivery pass now, printing the references delivered; exit 1 if the DB is still down.

    The drainer (``outbox drain``) does the same continuously; this is for an operator who wants
    the queue emptied and the references in hand right after fixing the database, or for a
    deployment that runs it from cron instead of the drainer. Safe next to a running drainer
    (entries are locked).
    """
    settings = load_settings()
    report = drain_once(_store(), Outbox(settings.var_dir / "outbox"))
    for reference in report.delivered:
        print(reference)
    _err(
        f"送信 {len(report.delivered)} 件 / delivered, 残り {report.remaining} 件 / remaining,"
        f" 送れなかったもの {report.failed} 件 / moved to failed"
        + (" — データベースに接続できません / database unavailable" if report.unavailable else "")
    )
    return 1 if report.unavailable else 0


def _outbox_status(_args: argparse.Namespace) -> int:
    counts = Outbox(load_settings().var_dir / "outbox").counts()
    print(counts.waiting)
    _err(f"送信待ち {counts.waiting} 件 / waiting, 送れなかったもの {counts.failed} 件 / failed")
    return 0


def _outbox_drain(_args: argparse.Namespace) -> int:
    import logging

    from bot.tickets.drainer import run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return run_forever()


def _outbox_requeue(_args: argparse.Namespace) -> int:
    moved = Outbox(load_settings().var_dir / "outbox").requeue_failed()
    print(f"{moved} 件を送信待ちに戻しました / {moved} failed entries requeued")
    return 0


def _sub(parent: Any, name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = parent.add_parser(name, help=help_text)
    parser.set_defaults(handler=_guarded(handler))
    return parser


def register(subparsers: Any) -> None:
    """Add ``user``, ``token``, ``db`` and ``outbox`` to the ``intake`` parser."""
    user = subparsers.add_parser("user", help="職員アカウント / staff accounts")
    user_cmds = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = _sub(user_cmds, "add", "職員を追加 / add a staff user", _user_add)
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument(
        "--city", required=True, help="市町村コード、分析担当は all も可 / city code, e.g. ube"
    )
    add.add_argument("--window", help="窓口ID (staff のみ) / window id, e.g. ube.seikatsu_support")
    add.add_argument("--display-name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument(
        "--analytics",
        action="store_true",
        help="分析画面も使えるようにする (analyst 以外) / grant the analytics pages",
    )
    access = _sub(user_cmds, "analytics", "分析画面の許可 / analytics access", _user_analytics)
    access.add_argument("name")
    access.add_argument("access", choices=["grant", "revoke"])
    listing = _sub(user_cmds, "list", "職員一覧 / list users", _user_list)
    listing.add_argument("--city")
    _sub(user_cmds, "disable", "職員を無効化 / disable a user", _user_disable).add_argument("name")
    password = _sub(user_cmds, "password", "パスワード変更 / set password", _user_password)
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true")

    token = subparsers.add_parser("token", help="APIトークン / API tokens")
    token_cmds = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = _sub(token_cmds, "create", "トークン発行 / create a token", _token_create)
    create.add_argument("name")
    create.add_argument("--label")
    create.add_argument(
        "--days", type=int, help="有効日数 (既定 API_TOKEN_DAYS=90) / days until it expires"
    )
    _sub(token_cmds, "list", "トークン一覧 / list tokens", _token_list).add_argument("name")
    revoke = _sub(token_cmds, "revoke", "トークン失効 / revoke tokens", _token_revoke)
    revoke.add_argument("token_id", nargs="?", type=int)
    revoke.add_argument("--user", help="revoke every token of this user")

    db = subparsers.add_parser("db", help="データベース / database schema")
    db_cmds = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = _sub(db_cmds, "upgrade", "マイグレーション実行 / migrate", _db_upgrade)
    upgrade.add_argument("--revision", default="head")
    _sub(db_cmds, "current", "現在のリビジョン / show revision", _db_current)

    outbox = subparsers.add_parser("outbox", help="未送信の受付 / queued submissions")
    outbox_cmds = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    flush = "今すぐ1回再送 / deliver queued submissions once, now (drain: continuously)"
    _sub(outbox_cmds, "flush", flush, _outbox_flush)
    _sub(outbox_cmds, "status", "件数 / count queued submissions", _outbox_status)
    _sub(outbox_cmds, "drain", "自動で再送し続ける / deliver continuously", _outbox_drain)
    requeue = "送れなかったものを戻す / requeue failed/ after a fix"
    _sub(outbox_cmds, "requeue", requeue, _outbox_requeue)
