"""CSRF protection: a synchronizer token kept in the session and echoed by every form.

Every state-changing request to a cookie-authenticated route must carry the session's token
in the ``csrf_token`` form field; otherwise it is refused with 403 before the handler runs, so
nothing changes. The API authenticates with bearer tokens (no cookies) and is exempt.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from aiohttp_session import get_session

log = logging.getLogger(__name__)

FIELD = "csrf_token"
SESSION_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_EXEMPT_ATTR = "__csrf_exempt__"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
H = TypeVar("H", bound=Handler)


def csrf_exempt(handler: H) -> H:
    """Mark a route handler that authenticates without cookies (API, webhooks)."""
    setattr(handler, _EXEMPT_ATTR, True)
    return handler


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def csrf_token(request: web.Request) -> str:
    """The session's token, created on first use (templates put it in a hidden field)."""
    session = await get_session(request)
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = new_token()
        session[SESSION_KEY] = token
    return token


def tokens_match(expected: object, sent: object) -> bool:
    """Constant-time comparison; missing or non-string values never match."""
    if not isinstance(expected, str) or not isinstance(sent, str) or not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


def _is_exempt(request: web.Request) -> bool:
    match_info = request.match_info
    if match_info.http_exception is not None:  # unknown route: let it 404/405
        return True
    return bool(getattr(match_info.handler, _EXEMPT_ATTR, False))


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in SAFE_METHODS or _is_exempt(request):
        return await handler(request)
    session = await get_session(request)
    form = await request.post()  # cached by aiohttp, so the handler can read it again
    if not tokens_match(session.get(SESSION_KEY), form.get(FIELD)):
        log.warning("CSRF token missing or wrong: %s %s", request.method, request.path)
        raise web.HTTPForbidden(
            text="フォームの有効期限が切れたか、不正な送信です。ページを読み込み直してください。"
        )
    return await handler(request)
