"""The ``intake`` console script.

Each subcommand lives beside the code it drives (``bot/nlu/classify_cli.py``,
``bot/tickets/cli.py``…) and exposes ``register(subparsers)``; this module only assembles them,
so a new command never needs to touch the others.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot.private_files import private_umask

# Modules that contribute subcommands. Imported lazily so that `intake user add` does not pay
# for TensorFlow and `intake classify` does not need the database driver.
SUBCOMMAND_MODULES: dict[str, str] = {
    "classify": "bot.nlu.classify_cli",
    "eval": "bot.nlu.classify_cli",
    "crisis-eval": "bot.nlu.crisis_cli",
    "crisis-cv": "bot.nlu.crisis_cli",
    "user": "bot.tickets.cli",
    "token": "bot.tickets.cli",
    "db": "bot.tickets.cli",
    "outbox": "bot.tickets.cli",
    "purge": "bot.retention.cli",
    "analytics": "bot.analytics.cli",
    "export-nlu": "bot.analytics.inbox_cli",
    "inbox": "bot.analytics.inbox_cli",
    "report": "bot.analytics.report_cli",
}


def build_parser(selected: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description="福祉相談 受付ボットの管理コマンド")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    registered: set[str] = set()
    for name, module_name in SUBCOMMAND_MODULES.items():
        if module_name in registered or (selected and name != selected):
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:  # a part not built in this checkout
            if not error.name or not error.name.startswith("bot."):
                raise
            continue
        module.register(subparsers)
        registered.add(module_name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    selected = args_list[0] if args_list and args_list[0] in SUBCOMMAND_MODULES else None
    parser = build_parser(selected)
    args = parser.parse_args(args_list)
    # Databases, outbox entries and purge work files hold residents' data (bot.private_files).
    private_umask()
    result = args.handler(args)
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
