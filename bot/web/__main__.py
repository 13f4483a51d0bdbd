"""``python -m bot.web``: serve only the residents' chat (console host and port settings)."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.settings import load_settings
from bot.web.setup import create_web_app


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = load_settings()
    app = create_web_app(settings)
    logging.getLogger("bot.web").info(
        "chat on http://%s:%s/chat", settings.console_host, settings.console_port
    )
    web.run_app(app, host=settings.console_host, port=settings.console_port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
