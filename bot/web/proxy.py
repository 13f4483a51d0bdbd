"""Same-origin proxy from the chat page to Rasa's REST channel (``POST /chat/api/message``).

Why a proxy instead of calling Rasa from the browser: the page then only ever talks to its own
origin, so the console's ``Content-Security-Policy: default-src 'self'`` holds, no CORS set-up is
needed, a city can publish one host name, and Rasa's port stays private. The proxy also checks
what it forwards (JSON, at most ``MAX_MESSAGE_CHARS``) and passes back only text and buttons,
so a resident never sees a stack trace or Rasa's internals; the conversation's city, which the
bot sends as a custom message, travels checked in the ``X-Chat-City`` header.

Who is talking is decided here, never by the page: the sender id comes from the signed cookie
(``bot.web.sender_cookie``; a missing or forged one gets a fresh id while the client address
may still start conversations, ``bot.web.new_conversations``; a ``sender`` in the body is
ignored), a ``/payload`` passes only if the bot offered that button in its last reply to this
sender (``bot.offers``), typed text naming one of those buttons (「でんわ」 for 「電話」) is sent
as its payload (``bot.dialogue.button_match``), and a flood gets a polite 429
(``bot.ratelimit``) per conversation and per client address (an IPv6 /64) that always says
119/110.

Message text is never logged: it may hold a resident's personal story.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from bot.dialogue.button_match import match_button
from bot.dialogue.flood_reply import later_refusal_reply
from bot.dialogue.page_city import CITY_KEY
from bot.dialogue.state import OTHER_CITY
from bot.directory import Directory
from bot.ratelimit import FloodDecision, Limit
from bot.settings import Settings
from bot.web import texts
from bot.web.keys import (
    RASA_CLIENT,
    WEB_DIRECTORY,
    WEB_FLOOD_GUARD,
    WEB_OFFERS,
    WEB_SETTINGS,
    WEB_SIGNER,
    WEB_START_PAYLOADS,
)
from bot.web.new_conversations import client_key, give_sender, issue_sender
from bot.web.sender_cookie import current_sender

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"
# Enough for MAX_MESSAGE_CHARS of Japanese (3 bytes each in UTF-8) plus JSON escaping.
MAX_BODY_BYTES = 32 * 1024
# Rasa answers in well under a second, but an action calling the ticket store may be slower.
RASA_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)
TYPED_SLASH_REPLACEMENT = "／"  # full-width solidus: reads the same, is not a Rasa command
# The conversation's current city for the page's heading and crisis links
# (``bot.dialogue.page_city``): a header, so the replies stay the plain list the page renders.
CITY_HEADER = "X-Chat-City"


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def webhook_url(settings: Settings) -> str:
    return settings.rasa_url.rstrip("/") + WEBHOOK_PATH


def rasa_params(settings: Settings) -> dict[str, str]:
    """``?token=`` for Rasa started with ``--auth-token`` (checked by its ``requires_auth``).

    Rasa's REST channel webhook itself does not check the token, which is why Rasa's port must
    stay private; sending it costs nothing and keeps the proxy working behind a gateway that
    does check it. Never logged: the log lines below name only ``webhook_url``.
    """
    return {"token": settings.rasa_auth_token} if settings.rasa_auth_token else {}


async def rasa_client(app: web.Application) -> AsyncIterator[None]:
    """One connection pool per app, closed on shutdown (registered in ``cleanup_ctx``)."""
    async with aiohttp.ClientSession(timeout=RASA_TIMEOUT) as session:
        app[RASA_CLIENT] = session
        yield


def parse_message(body: bytes) -> tuple[str, bool] | web.Response:
    """``(text, is_payload)`` from the request body, or the error response to send instead.

    A ``sender`` in the body is ignored: the conversation is the cookie's, never the page's.
    """
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "too_long", texts.ERROR_TOO_LONG)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error(400, "invalid_json", texts.ERROR_INVALID_JSON)
    if not isinstance(data, dict):
        return _error(400, "invalid_json", texts.ERROR_INVALID_JSON)
    message = data.get("message")
    if message is not None and not isinstance(message, str):
        # A number or a list is a broken client, not an empty message: say so.
        return _error(400, "invalid_json", texts.ERROR_INVALID_JSON)
    if not isinstance(message, str) or not message.strip():
        return _error(400, "empty", texts.ERROR_EMPTY)
    if len(message) > texts.MAX_MESSAGE_CHARS:
        return _error(413, "too_long", texts.ERROR_TOO_LONG)
    return message.strip(), data.get("payload") is True


def as_words(text: str) -> str:
    """Typed text is words, never an intent payload: ``/restart`` becomes ``／restart``."""
    return TYPED_SLASH_REPLACEMENT + text[1:] if text.startswith("/") else text


async def vetted_text(request: web.Request, sender: str, text: str, is_payload: bool) -> str:
    """The text for Rasa: a payload only if the bot offered it to this sender (or the page's
    own start), typed text naming one of the offered buttons as that button's payload
    (``bot.dialogue.button_match``), anything else as plain words."""
    if not is_payload:
        typed = match_button(text, await request.app[WEB_OFFERS].buttons(sender))
        if typed is not None:
            return typed
    if not text.startswith("/"):
        return text
    if is_payload:
        if text in request.app[WEB_START_PAYLOADS]:
            return text
        if text in await request.app[WEB_OFFERS].offered(sender):
            return text
    return as_words(text)


async def flood_check(request: web.Request, sender: str, text: str) -> FloodDecision:
    settings = request.app[WEB_SETTINGS]
    window = settings.rate_window_seconds
    keys = [
        (f"web:sender:{sender}", Limit(settings.rate_web_sender, window)),
        (f"web:ip:{client_key(request)}", Limit(settings.rate_web_ip, window)),
    ]
    return await request.app[WEB_FLOOD_GUARD].check(keys, text)


def refused(decision: FloodDecision) -> web.Response:
    """429 with how to reach a person now; a crisis message gets the crisis lines as replies.

    The first refusal of a window carries the slow-down words, 119/110 and the lines staffed
    now (``decision.replies``); a later one the short ``later_refusal_reply``, still with
    119/110. ``replies`` are the page's bubbles; ``message`` is the same text in one string.
    """
    if decision.crisis:
        return web.json_response([{"text": text, "buttons": []} for text in decision.replies])
    replies = decision.replies or later_refusal_reply()
    response = web.json_response(
        {
            "error": "slow_down",
            "message": "\n".join(replies),
            "replies": [{"text": text, "buttons": []} for text in replies],
            "retry_after": math.ceil(decision.retry_after),
        },
        status=429,
    )
    response.headers["Retry-After"] = str(max(1, math.ceil(decision.retry_after)))
    return response


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


def conversation_city(raw: Any, directory: Directory) -> str | None:
    """The city the bot last told the page (a served city's code, or ``other``), else None.

    Taken from Rasa's ``{"custom": {"city": …}}`` answers, and only when it names a city we
    serve: nothing else of a custom message reaches the page.
    """
    found = None
    for item in raw if isinstance(raw, list) else []:
        custom = item.get("custom") if isinstance(item, dict) else None
        code = custom.get(CITY_KEY) if isinstance(custom, dict) else None
        if code == OTHER_CITY:
            found = code
        elif isinstance(code, str) and (city := directory.city(code)) and not city.is_generic:
            found = city.code
    return found


async def message(request: web.Request) -> web.Response:
    """Forward one resident message to Rasa and return its replies as a JSON list."""
    sender = current_sender(request, request.app[WEB_SIGNER])
    if sender is not None:
        return await _answer(request, sender)
    # No cookie, or a forged one: a conversation of its own, if this client may start one.
    parsed = await _read_message(request)
    if isinstance(parsed, web.Response):
        return parsed
    issued = await issue_sender(request, parsed[0])
    if isinstance(issued, FloodDecision):
        return refused(issued)
    response = await _answer(request, issued, parsed)
    give_sender(request, response, issued)
    return response


async def new_conversation(request: web.Request) -> web.Response:
    """「最初から」: a fresh sender id (and so a fresh Rasa conversation) in a new cookie."""
    if request.content_type != "application/json":
        return _error(415, "not_json", texts.ERROR_NOT_JSON)
    issued = await issue_sender(request, None)
    if isinstance(issued, FloodDecision):
        return refused(issued)  # the old cookie stays: the resident can still write on
    response = web.json_response({"ok": True})
    give_sender(request, response, issued)
    return response


async def _read_message(request: web.Request) -> tuple[str, bool] | web.Response:
    """``(text, is_payload)`` of a JSON request, or the error response to send instead."""
    if request.content_type != "application/json":
        # Also what keeps other sites' plain HTML forms from posting here (no CORS preflight).
        return _error(415, "not_json", texts.ERROR_NOT_JSON)
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return _error(413, "too_long", texts.ERROR_TOO_LONG)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        # A chunked body (no Content-Length) over the app's limit: aiohttp's own 413 is English
        # plain text the page cannot show; the resident gets the same polite note instead.
        return _error(413, "too_long", texts.ERROR_TOO_LONG)
    return parse_message(body)


async def _answer(
    request: web.Request, sender: str, parsed: tuple[str, bool] | web.Response | None = None
) -> web.Response:
    if parsed is None:
        parsed = await _read_message(request)
    if isinstance(parsed, web.Response):
        return parsed
    text, is_payload = parsed

    decision = await flood_check(request, sender, text)
    if not decision.allowed:
        return refused(decision)
    text = await vetted_text(request, sender, text, is_payload)

    settings = request.app[WEB_SETTINGS]
    url = webhook_url(settings)
    try:
        async with request.app[RASA_CLIENT].post(
            url,
            params=rasa_params(settings),
            json={"sender": sender, "message": text, "input_channel": "web"},
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
    offered = [
        (button["title"], button["payload"]) for reply in replies for button in reply["buttons"]
    ]
    await request.app[WEB_OFFERS].remember(sender, offered)
    answer = web.json_response(replies)
    city = conversation_city(raw, request.app[WEB_DIRECTORY])
    if city is not None:
        answer.headers[CITY_HEADER] = city
    return answer
