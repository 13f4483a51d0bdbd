"""Staff login, logout and the decorators that guard console pages.

The session stores only the username; the account is re-read on every request so that a
disabled user or a changed role takes effect immediately instead of when the cookie expires.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp_session import get_session, new_session

from bot.console.csrf import SESSION_KEY as CSRF_SESSION_KEY
from bot.console.csrf import new_token
from bot.console.flash import flash
from bot.console.keys import REQUEST_USER, STORE, THROTTLE
from bot.console.render import render
from bot.tickets import User

log = logging.getLogger(__name__)

USERNAME_KEY = "username"
MAX_FIELD_LENGTH = 256

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def current_user(request: web.Request) -> User | None:
    """The logged-in, still active staff member, or None (clearing a stale session)."""
    session = await get_session(request)
    username = session.get(USERNAME_KEY)
    if not isinstance(username, str):
        return None
    user = await asyncio.to_thread(request.app[STORE].get_user, username)
    if user is None or user.disabled:
        session.invalidate()
        return None
    return user


def _login_url(request: web.Request) -> str:
    target = request.path_qs if request.method == "GET" else "/"
    return str(request.app.router["login"].url_for().with_query(next=target))


def login_required(handler: Handler) -> Handler:
    """Redirect anonymous visitors to the login page; put the user on the request."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        user = await current_user(request)
        if user is None:
            raise web.HTTPSeeOther(_login_url(request))
        request[REQUEST_USER] = user
        return await handler(request)

    return wrapper


def admin_required(handler: Handler) -> Handler:
    """Only admins manage users; everyone else gets a plain 403."""

    @login_required
    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        user: User = request[REQUEST_USER]
        if not user.can_manage_users:
            raise web.HTTPForbidden(text="この操作は管理者だけが行えます。")
        return await handler(request)

    return wrapper


def safe_next(target: object) -> str:
    """Only same-site paths: ``//evil.example`` and absolute URLs become ``/``."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


async def login_page(request: web.Request) -> web.StreamResponse:
    if await current_user(request) is not None:
        raise web.HTTPSeeOther(safe_next(request.query.get("next")))
    return await render(request, "login.html", {"next": safe_next(request.query.get("next"))})


async def login_submit(request: web.Request) -> web.StreamResponse:
    """Check the password (argon2, off the event loop) and start a fresh session."""
    form = await request.post()
    username = str(form.get("username", "")).strip()[:MAX_FIELD_LENGTH]
    password = str(form.get("password", ""))[:MAX_FIELD_LENGTH]
    target = safe_next(form.get("next"))
    throttle = request.app[THROTTLE]

    wait = throttle.retry_after(username)
    if wait > 0:
        log.warning("login throttled for %s", username)
        minutes = max(1, math.ceil(wait / 60))
        error = f"ログインの失敗が続いたため、{minutes}分ほど待ってからもう一度お試しください。"
        response = await render(
            request,
            "login.html",
            {"next": target, "error": error, "username": username},
            status=429,
        )
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response

    user = None
    if username and password:
        user = await asyncio.to_thread(request.app[STORE].authenticate, username, password)
    if user is None:
        throttle.failure(username)
        log.info("login failed for %s", username)
        error = "ユーザー名またはパスワードが違います。（無効になったアカウントも使えません）"
        return await render(
            request, "login.html", {"next": target, "error": error, "username": username}
        )

    throttle.success(username)
    # A new session (new CSRF token, nothing carried over) defeats session fixation.
    session = await new_session(request)
    session[USERNAME_KEY] = user.username
    session[CSRF_SESSION_KEY] = new_token()
    log.info("login %s", user.username)
    raise web.HTTPSeeOther(target)


async def logout(request: web.Request) -> web.StreamResponse:
    session = await get_session(request)
    username = session.get(USERNAME_KEY)
    session.invalidate()
    if username:
        log.info("logout %s", username)
    await new_session(request)
    await flash(request, "ログアウトしました。")
    raise web.HTTPSeeOther(str(request.app.router["login"].url_for()))
