"""Security headers added to every response, including errors and static files.

Done in ``on_response_prepare`` rather than a middleware so that responses produced outside
the handler chain (404 for unknown routes, static files) get them too.

HTTPS-only: outside loopback the console is reached over the network, where only HTTPS may
carry staff passwords and residents' data, so session cookies are ``Secure`` and browsers are
told (HSTS) never to use plain HTTP for this host again. On loopback (``make run``) both stay
off, or the console could not be used over ``http://127.0.0.1``; a loopback console behind a
TLS reverse proxy sets ``CONSOLE_COOKIE_SECURE=1`` to force them.
"""

from __future__ import annotations

from aiohttp import web

from bot.console.keys import CSP, SECURE_TRANSPORT
from bot.httputil import HSTS
from bot.httputil import transport_is_secure as secure_off_loopback
from bot.settings import Settings

# No inline scripts or styles: the console ships no JavaScript and one CSS file.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
STATIC_PREFIX = "/static/"


def transport_is_secure(settings: Settings) -> bool:
    """Secure cookies and HSTS: forced by the setting, or whenever not on loopback."""
    # One rule (bot.httputil), shared with the standalone web chat.
    return secure_off_loopback(settings.cookie_secure, settings.console_host)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Set the headers; anything but static assets may carry personal data, so no caching."""
    headers = response.headers
    headers["Content-Security-Policy"] = request.app.get(CSP, DEFAULT_CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    if request.app.get(SECURE_TRANSPORT, False):
        headers["Strict-Transport-Security"] = HSTS
    if not request.path.startswith(STATIC_PREFIX):
        headers["Cache-Control"] = "no-store"
