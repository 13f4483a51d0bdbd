"""Same-origin proxy from the chat page to Rasa's REST channel (``POST /chat/api/message``).

Why a proxy instead of calling Rasa from the browser: the page then only ever talks to its own
origin, so the console's ``Content-Security-Policy: default-src 'self'`` holds, no CORS set-up is
needed, a city can publish one host name, and Rasa's port stays private. The proxy also checks
what it forwards (JSON, a sane sender id, at most ``MAX_MESSAGE_CHARS``) and passes back only
text and buttons, so a resident never sees a stack trace or Rasa's internals.

Message text is never logged: it may hold a resident's personal story.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from bot.settings import Settings
from bot.web import texts
from bot.web.keys import RASA_CLIENT, WEB_SETTINGS

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"
# The page makes ids with crypto.randomUUID(); anything else in that shape is accepted too.
SENDER_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
# Enough for MAX_MESSAGE_CHARS of Japanese (3 bytes each in UTF-8) plus JSON escaping.
MAX_BODY_BYTES = 32 * 1024
# Rasa answers in well under a second, but an action calling the ticket store may be slower.
RASA_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def webhook_url(settings: Settings) -> str:
    return settings.rasa_url.rstrip("/") + WEBHOOK_PATH


async def rasa_client(app: web.Application) -> AsyncIterator[None]:
    """One connection pool per app, closed on shutdown (registered in ``cleanup_ctx``)."""
    async with aiohttp.ClientSession(timeout=RASA_TIMEOUT) as session:
        app[RASA_CLIENT] = session
        yield


def parse_message(body: bytes) -> tuple[str, str] | web.Response:
    """``(sender, message)`` from the request body, or the error response to send instead."""
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "too_long", texts.ERROR_TOO_LONG)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error(400, "invalid_json", texts.ERROR_INVALID_JSON)
    if not isinstance(data, dict):
        return _error(400, "invalid_json", texts.ERROR_INVALID_JSON)
    sender, message = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender):
        return _error(400, "bad_sender", texts.ERROR_BAD_SENDER)
    if not isinstance(message, str) or not message.strip():
        return _error(400, "empty", texts.ERROR_EMPTY)
    if len(message) > texts.MAX_MESSAGE_CHARS:
        return _error(413, "too_long", texts.ERROR_TOO_LONG)
    text = message.strip()
    if data.get("payload") is not True and text.startswith("/"):
        # Typed text is words, never an intent payload: only the page's buttons send those.
        text = "／" + text[1:]
    return sender, text


def clean_replies(raw: Any) -> list[dict[str, Any]] | None:
    """Keep only what the page renders (text, buttons); None when Rasa's answer is malformed."""
    if not isinstance(raw, list):
        return None
    replies: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        buttons = [
            {"title": b["title"], "payload": b["payload"]}
            for b in item.get("buttons") or []
            if isinstance(b, dict)
            and isinstance(b.get("title"), str)
            and isinstance(b.get("payload"), str)
        ]
        if isinstance(text, str) or buttons:
            replies.append({"text": text if isinstance(text, str) else "", "buttons": buttons})
    return replies


async def message(request: web.Request) -> web.Response:
    """Forward one resident message to Rasa and return its replies as a JSON list."""
    if request.content_type != "application/json":
        # Also what keeps other sites' plain HTML forms from posting here (no CORS preflight).
        return _error(415, "not_json", texts.ERROR_NOT_JSON)
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return _error(413, "too_long", texts.ERROR_TOO_LONG)
    parsed = parse_message(await request.read())
    if isinstance(parsed, web.Response):
        return parsed
    sender, text = parsed

    url = webhook_url(request.app[WEB_SETTINGS])
    try:
        async with request.app[RASA_CLIENT].post(
            url, json={"sender": sender, "message": text, "input_channel": "web"}
        ) as response:
            if response.status != 200:
                log.warning("Rasa answered HTTP %s", response.status)
                return _error(502, "bad_reply", texts.ERROR_BAD_REPLY)
            raw = await response.json(content_type=None)
    except asyncio.TimeoutError:
        log.warning("Rasa did not answer in time (%s)", url)
        return _error(504, "timeout", texts.ERROR_TIMEOUT)
    except aiohttp.ClientConnectionError as exc:
        log.warning("Rasa unreachable at %s: %s", url, type(exc).__name__)
        return _error(503, "unavailable", texts.ERROR_UNAVAILABLE)
    except (aiohttp.ClientError, ValueError):
        log.warning("Rasa sent an unreadable answer")
        return _error(502, "bad_reply", texts.ERROR_BAD_REPLY)

    replies = clean_replies(raw)
    if replies is None:
        return _error(502, "bad_reply", texts.ERROR_BAD_REPLY)
    return web.json_response(replies)
