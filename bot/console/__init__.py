"""Staff console: queue, ticket pages, user admin and a JSON API over ``bot.tickets``.

Start it with ``python -m bot.console``; build it in tests or from another module with
``create_app(settings, store, plugins=[...])``.
"""

from __future__ import annotations

from bot.console.app import Plugin, create_app
from bot.console.csrf import csrf_exempt
from bot.console.keys import CSP, NAMES, SETTINGS, STORE

__all__ = ["CSP", "NAMES", "SETTINGS", "STORE", "Plugin", "create_app", "csrf_exempt"]
