"""``python -m bot.line_router --port 8090 --upstream http://127.0.0.1:8001``.

Addresses are arguments (they belong to the deployment's layout, like HAProxy's); the channel
secret comes only from ``bot.settings`` (``LINE_CHANNEL_SECRET``). Logs are redacted like
every server of the project's.
"""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web

from bot.line_router.app import create_app
from bot.privacy.logs import install_for_server
from bot.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.line_router", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument(
        "--upstream", required=True, help="HAProxy's internal frontend, hashing on X-Sender-Id"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_for_server()
    app = create_app(load_settings().line_channel_secret, args.upstream)
    # No access log: HAProxy checks health every 2 s, and it logs every request itself.
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
