"""``python -m bot.console``: migrate the database, then serve the console.

Plugins from other packages are listed in ``PLUGINS`` as ``"module:callable"``; a listed
module that fails to import stops start-up rather than silently serving without it.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence

from aiohttp import web

from bot.console.app import Plugin, create_app
from bot.settings import load_settings
from bot.tickets import upgrade_database

log = logging.getLogger("bot.console")

# e.g. ("bot.web:setup",) once the residents' website exists.
PLUGINS: tuple[str, ...] = ("bot.web:setup",)


def resolve_plugins(specs: Sequence[str]) -> list[Plugin]:
    plugins: list[Plugin] = []
    for spec in specs:
        module_name, _, attr = spec.partition(":")
        plugins.append(getattr(importlib.import_module(module_name), attr or "setup"))
    return plugins


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = load_settings()
    log.info("migrating the ticket database")
    upgrade_database(settings.database_url)
    app = create_app(settings, plugins=resolve_plugins(PLUGINS))
    log.info("console on http://%s:%s/", settings.console_host, settings.console_port)
    web.run_app(app, host=settings.console_host, port=settings.console_port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
