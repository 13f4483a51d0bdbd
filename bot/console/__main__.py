"""``python -m bot.console``: private files, redacted logs, migrate the database, serve.

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
from bot.privacy.logs import install_for_server
from bot.private_files import private_umask
from bot.settings import Settings, load_settings
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


def start_up(settings: Settings) -> None:
    """Everything before serving: first private files and redacted logs, then the migration.

    The umask comes before anything is created (the SQLite database, session rows, logs the
    process writes); redaction before any error can be logged — an exception or a Rasa reply
    relayed by the chat proxy may quote a resident.
    """
    private_umask()
    install_for_server()
    log.info("migrating the ticket database")
    upgrade_database(settings.database_url)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = load_settings()
    start_up(settings)
    app = create_app(settings, plugins=resolve_plugins(PLUGINS))
    log.info("console on http://%s:%s/", settings.console_host, settings.console_port)
    web.run_app(app, host=settings.console_host, port=settings.console_port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
