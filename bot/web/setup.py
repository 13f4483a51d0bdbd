"""Wiring: ``setup_web_chat`` adds the residents' chat to any aiohttp application.

The console calls it as a plugin (``create_app(plugins=[bot.web.setup])`` or ``"bot.web:setup"``
in ``bot.console.__main__.PLUGINS``); ``create_web_app`` serves the chat alone, e.g. on a
separate public host while the console stays on the city's internal network.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bot.dialogue.flood_reply import FloodReplies
from bot.directory import Directory, load_directory
from bot.httputil import HSTS, transport_is_secure
from bot.ratelimit import FloodGuard
from bot.settings import Settings, load_settings
from bot.web import pages, proxy
from bot.web.crisis import crisis_lines_for
from bot.web.keys import (
    WEB_CRISIS_LINES,
    WEB_DIRECTORY,
    WEB_FLOOD_GUARD,
    WEB_HSTS,
    WEB_OFFERS,
    WEB_SETTINGS,
    WEB_SIGNER,
    WEB_START_PAYLOADS,
    WEB_TEMPLATES,
)
from bot.web.offers import InMemoryOfferStore, OfferStore, RedisOfferStore
from bot.web.sender_cookie import SenderSigner

STATIC_DIR = Path(__file__).resolve().parent / "static"


def _console_settings(app: web.Application) -> Settings | None:
    """The console's settings when running inside it (imported lazily: bot.web stands alone)."""
    try:
        from bot.console.keys import SETTINGS
    except ImportError:  # pragma: no cover - the console is part of this project
        return None
    return app.get(SETTINGS)


def _exempt_from_csrf(handler: Callable[[web.Request], Awaitable[web.Response]]) -> None:
    """The chat API does not use the console's session, so its form-token check does not apply.

    Cross-site abuse is still blocked: the sender cookie is ``SameSite=Lax`` (not sent on other
    sites' requests) and the API only accepts ``application/json``, which a foreign page can
    send only after a CORS preflight that this app never answers.
    """
    try:
        from bot.console.csrf import csrf_exempt
    except ImportError:  # pragma: no cover
        return
    csrf_exempt(handler)


def setup_web_chat(app: web.Application, settings: Settings | None = None) -> None:
    """Add ``/chat``, ``/chat/crisis``, ``POST /chat/api/message`` and ``/chat/static/``.

    ``settings`` defaults to the console's (``app[bot.console.SETTINGS]``) and then to the
    environment, so the function also fits the console's one-argument plugin signature.
    """
    settings = settings or _console_settings(app) or load_settings()
    app[WEB_SETTINGS] = settings
    app[WEB_TEMPLATES] = pages.template_environment()
    app[WEB_DIRECTORY] = load_directory(settings.cities_dir)
    app[WEB_CRISIS_LINES] = crisis_lines_for(settings.data_dir)
    app.cleanup_ctx.append(proxy.rasa_client)
    app[WEB_SIGNER] = SenderSigner.from_settings(settings)
    app[WEB_START_PAYLOADS] = start_payloads(app[WEB_DIRECTORY])
    app.cleanup_ctx.append(_shared_state)

    _exempt_from_csrf(proxy.message)
    _exempt_from_csrf(proxy.new_conversation)
    r = app.router
    r.add_get("/chat", pages.chat_page, name="web_chat")
    r.add_get("/chat/crisis", pages.crisis_page, name="web_chat_crisis")
    r.add_post("/chat/api/message", proxy.message, name="web_chat_message")
    r.add_post("/chat/api/new", proxy.new_conversation, name="web_chat_new")
    r.add_static("/chat/static/", STATIC_DIR, name="web_chat_static")


def start_payloads(directory: Directory) -> frozenset[str]:
    """What the page sends by itself to start: the greeting and a preselected city.

    Exactly the strings ``chat.js`` builds; harmless, since a resident could type the same.
    """
    cities = (city for city in directory.cities if not city.is_generic)
    return frozenset({"/greet", *(f'/inform_city{{"city": "{city.code}"}}' for city in cities)})


async def _shared_state(app: web.Application) -> AsyncIterator[None]:
    """Offers and rate counters: Redis when configured (several instances), else in-process."""
    settings = app[WEB_SETTINGS]
    offers: OfferStore = (
        RedisOfferStore.from_url(settings.redis_url) if settings.redis_url else InMemoryOfferStore()
    )
    guard = FloodGuard.from_settings(settings, FloodReplies(settings.timezone))
    app[WEB_OFFERS] = offers
    app[WEB_FLOOD_GUARD] = guard
    try:
        yield
    finally:
        await offers.close()
        await guard.close()


def setup(app: web.Application) -> None:
    """The console's plugin entry point (``"bot.web:setup"``)."""
    setup_web_chat(app)


def create_web_app(settings: Settings | None = None) -> web.Application:
    """The chat on its own, with the same security headers the console sends (HSTS too,
    by the console's rule: whenever the server is not bound to loopback, or forced)."""
    settings = settings or load_settings()
    app = web.Application(client_max_size=proxy.MAX_BODY_BYTES)
    app[WEB_HSTS] = transport_is_secure(settings.cookie_secure, settings.console_host)
    app.on_response_prepare.append(add_security_headers)  # type: ignore[arg-type]
    setup_web_chat(app, settings)
    return app


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Same policy as the console: no inline code, no framing, no referrer leaks, HTTPS only
    off loopback."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if request.app.get(WEB_HSTS, False):
        response.headers["Strict-Transport-Security"] = HSTS
