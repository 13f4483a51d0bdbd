"""Staff login, logout and the decorators that guard console pages.

The (server-side, see ``sessions.py``) session stores the username and the user's
``session_epoch`` at login; the account is re-read on every request so that a disabled user, a
changed password (new epoch) or a changed role takes effect immediately.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import math
import secrets
import unicodedata
from collections.abc import Awaitable, Callable
from urllib.parse import unquote, urlsplit

from aiohttp import web
from aiohttp_session import get_session, new_session

from bot.console.csrf import SESSION_KEY as CSRF_SESSION_KEY
from bot.console.csrf import new_token
from bot.console.flash import flash
from bot.console.keys import REQUEST_USER, SETTINGS, STORE, THROTTLE
from bot.console.render import render
from bot.console.sessions import EPOCH_KEY, USERNAME_KEY
from bot.console.throttle import client_address
from bot.tickets import User

log = logging.getLogger(__name__)

MAX_USERNAME_LENGTH = 64  # as stored; the password is never cut (credentials.py)
MAX_NEXT_LENGTH = 2000
# Warn monitoring each time an account collects this many more failures over all clients.
ACCOUNT_ALERT_EVERY = 20

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Keys the tag of an unknown username in the log (see ``username_for_log``); per process.
_LOG_TAG_KEY = secrets.token_bytes(32)


async def current_user(request: web.Request) -> User | None:
    """The logged-in, still active staff member, or None (clearing a stale session)."""
    session = await get_session(request)
    username = session.get(USERNAME_KEY)
    if not isinstance(username, str):
        return None
    user = await asyncio.to_thread(request.app[STORE].get_user, username)
    if user is None or user.disabled or session.get(EPOCH_KEY) != user.session_epoch:
        session.invalidate()  # deletes the server-side record when the response is sent
        return None
    return user


def _login_url(request: web.Request) -> str:
    target = request.path_qs if request.method == "GET" else "/"
    return str(request.app.router["login"].url_for().with_query(next=target))


# The only console paths an analyst may open (analysts never see a ticket): the analytics
# pages, their own password, logout. An allow-list, so a ticket page added later is closed
# to analysts without anyone remembering to close it.
ANALYST_PATHS = ("/analytics", "/account/password", "/logout")


def analyst_may_open(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in ANALYST_PATHS)


def login_required(handler: Handler) -> Handler:
    """Redirect anonymous visitors to the login page; put the user on the request.

    Analysts are sent from ``/`` (the ticket queue, where every login lands) to the analytics
    page, and refused (403) anywhere else outside ``ANALYST_PATHS``.
    """

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        user = await current_user(request)
        if user is None:
            raise web.HTTPSeeOther(_login_url(request))
        if not user.sees_tickets and not analyst_may_open(request.path):
            if request.path == "/" and request.method == "GET":
                raise web.HTTPSeeOther("/analytics")
            raise web.HTTPForbidden(text="分析担当のアカウントでは相談票を扱えません。")
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


def _hidden(ch: str) -> bool:
    """Characters browsers drop or treat as separators in a URL: controls, format, spaces."""
    return unicodedata.category(ch)[0] in ("C", "Z")


def safe_next(target: object) -> str:
    """Where to go after login: only a same-site path, anything else becomes ``/``.

    Browsers strip tabs and newlines and treat ``\\`` like ``/``, so ``/%09/evil.example``
    or ``/\\evil.example`` would lead to ``//evil.example``, another site. Accepted is a target
    that, as sent and after up to two rounds of percent-decoding with hidden characters
    removed, starts with exactly one ``/`` followed by neither ``/`` nor ``\\``, and that
    contains no hidden character or backslash, scheme or host at all.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_NEXT_LENGTH:
        return "/"
    if "\\" in target or any(_hidden(ch) for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    decoded = target
    for _ in range(3):
        visible = "".join(ch for ch in decoded if not _hidden(ch))
        if not visible.startswith("/") or visible[1:2] in ("/", "\\"):
            return "/"
        decoded = unquote(decoded)
    return target


async def username_for_log(request: web.Request, username: str) -> str:
    """How a failed or throttled login names the submitted username in the log.

    An existing account is named: it is what monitoring must act on ("sato is being guessed"),
    and staff usernames are no secret (ticket events show them). Anything else is often a
    password typed into the wrong field, so it appears only as a short tag keyed with a random
    per-process secret: repeated attempts with the same text correlate within the log, but
    the tag cannot be reversed — an unkeyed hash of a password could, by trying a dictionary.
    """
    if username and await asyncio.to_thread(request.app[STORE].get_user, username) is not None:
        return username
    digest = hmac.new(_LOG_TAG_KEY, username.encode(), hashlib.sha256).hexdigest()
    return f"unknown-user:{digest[:10]}"


def wait_minutes(wait: float) -> int:
    """A throttle wait as whole minutes for the message (at least one)."""
    return max(1, math.ceil(wait / 60))


async def record_failure(request: web.Request, username: str, client: str) -> None:
    """Count a wrong password for (username, client) — login form or password page alike —
    and tell monitoring when an account keeps failing over all clients."""
    account_failures = request.app[THROTTLE].failure(username, client)
    if account_failures % ACCOUNT_ALERT_EVERY == 0:
        log.warning(
            "account %s has %d failed logins in a row (all clients): possible guessing",
            await username_for_log(request, username),
            account_failures,
        )


async def login_page(request: web.Request) -> web.StreamResponse:
    if await current_user(request) is not None:
        raise web.HTTPSeeOther(safe_next(request.query.get("next")))
    return await render(request, "login.html", {"next": safe_next(request.query.get("next"))})


async def login_submit(request: web.Request) -> web.StreamResponse:
    """Check the password (argon2, off the event loop) and start a fresh session."""
    form = await request.post()
    username = str(form.get("username", "")).strip()[:MAX_USERNAME_LENGTH]
    # Never truncated: an input over the one length limit simply does not match (and costs
    # the same argon2 verification as any other attempt).
    password = str(form.get("password", ""))
    target = safe_next(form.get("next"))
    throttle = request.app[THROTTLE]
    client = client_address(request, request.app[SETTINGS].console_trusted_proxy_hops)

    wait = throttle.retry_after(username, client)
    if wait > 0:
        log.warning(
            "login throttled for %s from %s", await username_for_log(request, username), client
        )
        error = (
            f"ログインの失敗が続いたため、{wait_minutes(wait)}分ほど待ってから"
            "もう一度お試しください。"
        )
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
        log.info("login failed for %s from %s", await username_for_log(request, username), client)
        await record_failure(request, username, client)
        error = "ユーザー名またはパスワードが違います。（無効になったアカウントも使えません）"
        return await render(
            request, "login.html", {"next": target, "error": error, "username": username}
        )

    throttle.success(username, client)
    # A new session (new id, new CSRF token, nothing carried over) defeats session fixation.
    session = await new_session(request)
    session[USERNAME_KEY] = user.username
    session[EPOCH_KEY] = user.session_epoch
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
