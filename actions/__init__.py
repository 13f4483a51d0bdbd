"""Custom actions for the Rasa action server (``rasa run actions`` imports this package).

Importing the package registers one rasa-sdk plugin and does nothing else: rasa-sdk calls the
plugin's ``attach_sanic_app_extensions`` only when its server starts (``rasa_sdk.endpoint.run``,
after it imported these actions, before it serves), and the plugin then switches on the
process's log redaction (``bot.privacy.logs.install_for_server``): rasa-sdk logs and answers a
failing action with the whole tracker. Tests and tools importing the actions keep their
logging as it was.
"""

from __future__ import annotations

from typing import Any

import pluggy
from rasa_sdk.plugin import plugin_manager

from bot.privacy.logs import install_for_server

_hookimpl = pluggy.HookimplMarker("rasa_sdk")


class RedactLogsOnStart:
    """The rasa-sdk plugin: redact the action server's logs once it starts serving."""

    @_hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        install_for_server()


PLUGIN = RedactLogsOnStart()
if not plugin_manager().is_registered(PLUGIN):
    plugin_manager().register(PLUGIN)
