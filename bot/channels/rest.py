"""Rasa's REST channel (``/webhooks/rest/webhook``) with its input checked before the bot.

Listed in ``credentials.yml`` as ``bot.channels.rest.RestInput:`` in place of ``rest:``; the
name stays ``rest`` so the URL and the web chat proxy (``bot.web.proxy``) are unchanged.

Why: Rasa's own channel passes anything on. A body that is a JSON list gave a 500; a message
that is a number, a list or missing gave ``[]`` (no answer at all); a 100,000-character message
held Rasa's event loop for over a minute (``bot.channels.limits``). Here such requests get a
4xx with ``{"error", "message"}`` in plain Japanese before Rasa sees them. An empty string is
still passed on: the bot itself answers it by asking what the trouble is.

A turn the action server left silent (it is down) gets the answer Rasa can compose by itself:
the crisis lines, the city's windows and a note that the handoff is briefly unavailable
(``bot.channels.degraded``).
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.degraded import DegradedAnswers
from bot.channels.limits import MAX_TEXT_CHARS, TOO_LONG_REPLY

# MAX_TEXT_CHARS as JSON \uXXXX escapes (6 bytes each) plus sender and metadata.
MAX_BODY_BYTES = 64 * 1024

UNREADABLE = (
    "ごめんなさい、送られた内容を読み取れませんでした。"
    '{"sender": "…", "message": "…"} の形で、message に文字を入れて送ってください。'
)


def refusal(body: bytes) -> tuple[int, dict[str, str]] | None:
    """``(status, {"error", "message"})`` for a body the bot must not see, else None."""
    if len(body) > MAX_BODY_BYTES:
        return 413, {"error": "too_long", "message": TOO_LONG_REPLY}
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return 400, {"error": "invalid_json", "message": UNREADABLE}
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        return 400, {"error": "invalid_json", "message": UNREADABLE}
    if len(data["message"]) > MAX_TEXT_CHARS:
        return 413, {"error": "too_long", "message": TOO_LONG_REPLY}
    return None


class RestInput(RasaRestInput):
    """Rasa's REST channel, refusing malformed or oversized requests with a polite 4xx, and
    answering by itself when the action server left a turn silent."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Any) -> Blueprint:
        degraded = DegradedAnswers()
        blueprint = super().blueprint(degraded.wrap(on_new_message))

        @blueprint.middleware("request")
        async def vet(request: Request) -> HTTPResponse | None:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            degraded.use_app(request.app)  # the agent, whose tracker says what was answered
            refused = refusal(request.body or b"")
            if refused is None:
                return None
            status, payload = refused
            return response.json(payload, status=status)

        return blueprint
