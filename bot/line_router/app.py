"""The LINE router's HTTP side: receive LINE's webhook, forward each user's part by sender.

What it answers LINE, and why:

- the same refusals as the Rasa channel, checked first, on the raw body: no channel secret
  → 503, over 1 MB → 413, bad signature → 401, not JSON or no event list → 400; an empty
  event list (LINE's "Verify") → 200 without forwarding;
- 200 only once every part was accepted by a Rasa instance. A part that could not be
  delivered (no instance up, a timeout) makes the answer 503, so LINE redelivers the whole
  delivery; the parts that did arrive were claimed by ``webhookEventId`` in Redis
  (``bot.channels.line_dedup``) and are skipped then, so nobody is answered twice. The Rasa
  channel answers at once and works in the background, so forwarding stays far below LINE's
  2-second limit.

Parts of different users are posted at the same time; one user's events are one part, so
their order is kept. Logs name counts and statuses only, never a user id or message text.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.line.signature import verify_signature
from bot.line_router.split import ROUTING_HEADER, Part, split_delivery

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/line/webhook"
MAX_BODY_BYTES = 1_000_000  # as bot.channels.line.MAX_BODY_BYTES
# Under LINE's 2 s: a part not accepted by then is reported as failed, and LINE redelivers.
FORWARD_TIMEOUT = aiohttp.ClientTimeout(total=1.5, connect=0.5)

UPSTREAM: web.AppKey[str] = web.AppKey("upstream", str)
SECRET: web.AppKey[str] = web.AppKey("channel_secret", str)
CLIENT: web.AppKey[aiohttp.ClientSession] = web.AppKey("client", aiohttp.ClientSession)


async def _forward(client: aiohttp.ClientSession, url: str, part: Part) -> int:
    """Post one part; its HTTP status, 0 when no instance could be reached in time."""
    headers = {
        "Content-Type": "application/json",
        "X-Line-Signature": part.signature,
    }
    if part.routing_key:
        headers[ROUTING_HEADER] = part.routing_key
    try:
        async with client.post(url, data=part.body, headers=headers) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        log.warning("LINE router: upstream unreachable (%s)", type(exc).__name__)
        return 0


async def webhook(request: web.Request) -> web.Response:
    secret = request.app[SECRET]
    if not secret:
        return web.Response(status=503, text="LINE channel is not configured")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return web.Response(status=413, text="payload too large")
    body = await request.read()
    if not verify_signature(secret, body, request.headers.get("X-Line-Signature")):
        log.warning("LINE router: webhook with a missing or invalid signature refused")
        return web.Response(status=401, text="invalid signature")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return web.Response(status=400, text="invalid JSON")
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        return web.Response(status=400, text="no events list")
    parts = split_delivery(payload, secret)
    if not parts:
        return web.Response(text="OK")  # LINE's "Verify": nothing to forward
    url = request.app[UPSTREAM].rstrip("/") + WEBHOOK_PATH
    statuses = await asyncio.gather(*(_forward(request.app[CLIENT], url, p) for p in parts))
    failed = [status for status in statuses if status != 200]
    if failed:
        log.warning(
            "LINE router: %d of %d parts not accepted (statuses %s); LINE will redeliver",
            len(failed),
            len(parts),
            sorted(set(failed)),
        )
        return web.Response(status=503, text="try again")
    log.info(
        "LINE router: %d events forwarded in %d parts",
        sum(p.event_count for p in parts),
        len(parts),
    )
    return web.Response(text="OK")


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(channel_secret: str | None, upstream: str) -> web.Application:
    """The router; ``upstream`` is HAProxy's internal frontend (hashing on ``X-Sender-Id``)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SECRET] = channel_secret or ""
    app[UPSTREAM] = upstream
    if not channel_secret:
        log.error("LINE router: LINE_CHANNEL_SECRET is not set; every delivery gets 503")

    async def client_context(app: web.Application) -> AsyncIterator[None]:
        app[CLIENT] = aiohttp.ClientSession(timeout=FORWARD_TIMEOUT)
        yield
        await app[CLIENT].close()

    app.cleanup_ctx.append(client_context)
    app.router.add_post(WEBHOOK_PATH, webhook)
    app.router.add_get("/webhooks/line/", health)
    app.router.add_get("/healthz", health)
    return app
