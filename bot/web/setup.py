"""Wiring: ``setup_web_chat`` adds the residents' chat to any aiohttp application.

The console calls it as a plugin (``create_app(plugins=[bot.web.setup])`` or ``"bot.web:setup"``
in ``bot.console.__main__.PLUGINS``); ``create_web_app`` serves the chat alone, e.g. on a
separate public host while the console stays on the city's internal network.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bot.directory import load_directory
from bot.settings import Settings, load_settings
from bot.web import pages, proxy
from bot.web.crisis import crisis_lines_for
from bot.web.keys import WEB_CRISIS_LINES, WEB_DIRECTORY, WEB_SETTINGS, WEB_TEMPLATES

STATIC_DIR = Path(__file__).resolve().parent / "static"


def _console_settings(app: web.Application) -> Settings | None:
    """The console's settings when running inside it (imported lazily: bot.web stands alone)."""
    try:
        from bot.console.keys import SETTINGS
    except ImportError:  # pragma: no cover - the console is part of this project
        return None
    return app.get(SETTINGS)


def _exempt_from_csrf(handler: Callable[[web.Request], Awaitable[web.Response]]) -> None:
    """The proxy uses no cookies, so the console's form-token check does not apply to it.

    Cross-site abuse is still blocked: it only accepts ``application/json``, which a foreign
    page can send only after a CORS preflight that this app never answers.
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

    _exempt_from_csrf(proxy.message)
    r = app.router
    r.add_get("/chat", pages.chat_page, name="web_chat")
    r.add_get("/chat/crisis", pages.crisis_page, name="web_chat_crisis")
    r.add_post("/chat/api/message", proxy.message, name="web_chat_message")
    r.add_static("/chat/static/", STATIC_DIR, name="web_chat_static")


def setup(app: web.Application) -> None:
    """The console's plugin entry point (``"bot.web:setup"``)."""
    setup_web_chat(app)


def create_web_app(settings: Settings | None = None) -> web.Application:
    """The chat on its own, with the same security headers the console sends."""
    app = web.Application(client_max_size=proxy.MAX_BODY_BYTES)
    app.on_response_prepare.append(add_security_headers)  # type: ignore[arg-type]
    setup_web_chat(app, settings or load_settings())
    return app


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


async def add_security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """Same policy as the console: no inline code, no framing, no referrer leaks."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
