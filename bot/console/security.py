"""Security headers added to every response, including errors and static files.

Done in ``on_response_prepare`` rather than a middleware so that responses produced outside
the handler chain (404 for unknown routes, static files) get them too.
"""

from __future__ import annotations

from aiohttp import web

from bot.console.keys import CSP

# No inline scripts or styles: the console ships no JavaScript and one CSS file.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
STATIC_PREFIX = "/static/"


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Set the headers; anything but static assets may carry personal data, so no caching."""
    headers = response.headers
    headers["Content-Security-Policy"] = request.app.get(CSP, DEFAULT_CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    if not request.path.startswith(STATIC_PREFIX):
        headers["Cache-Control"] = "no-store"
