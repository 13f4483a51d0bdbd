"""A staff member changes their own password; every session of theirs ends at once.

Changing the password is what staff do when they suspect someone saw it, so all sessions —
on this PC and any other — end, this one included: the member logs in again with the new
password (cheap, and the clearest signal that the old sessions are gone).

The current-password check goes through the login throttle (username + client): otherwise a
stolen session could guess the account's real password here without limit.
"""

from __future__ import annotations

import asyncio
import logging
import math

from aiohttp import web
from aiohttp_session import get_session, new_session

from bot.console.auth import login_required, record_failure, wait_minutes
from bot.console.flash import flash
from bot.console.keys import REQUEST_USER, SESSIONS, SETTINGS, STORE, THROTTLE
from bot.console.render import render
from bot.console.throttle import client_address
from bot.tickets import User, WeakPassword
from bot.tickets.credentials import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PASSWORD_RULE

log = logging.getLogger(__name__)


def _page_url(request: web.Request) -> str:
    return str(request.app.router["account_password"].url_for())


async def _form(request: web.Request, status: int = 200) -> web.Response:
    return await render(
        request,
        "account_password.html",
        {
            "min_length": MIN_PASSWORD_LENGTH,
            "max_length": MAX_PASSWORD_LENGTH,
            "rule": PASSWORD_RULE,
        },
        status=status,
    )


@login_required
async def password_page(request: web.Request) -> web.StreamResponse:
    return await _form(request)


@login_required
async def change_password(request: web.Request) -> web.StreamResponse:
    user: User = request[REQUEST_USER]
    store = request.app[STORE]
    form = await request.post()
    current = str(form.get("current_password", ""))
    password = str(form.get("password", ""))
    if password != str(form.get("password_confirm", "")):
        await flash(request, "確認用のパスワードが一致しません。変更していません。", "error")
        raise web.HTTPSeeOther(_page_url(request))
    throttle = request.app[THROTTLE]
    client = client_address(request, request.app[SETTINGS].console_trusted_proxy_hops)
    wait = throttle.retry_after(user.username, client)
    if wait > 0:  # even the right password waits, or the throttle would be an oracle
        log.warning("password change throttled for %s from %s", user.username, client)
        await flash(
            request,
            f"パスワードの確認の失敗が続いたため、{wait_minutes(wait)}分ほど待ってから"
            "もう一度お試しください。変更していません。",
            "error",
        )
        response = await _form(request, status=429)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    if await asyncio.to_thread(store.authenticate, user.username, current) is None:
        log.info("password change: wrong current password for %s from %s", user.username, client)
        await record_failure(request, user.username, client)
        await flash(request, "いまのパスワードが違います。変更していません。", "error")
        raise web.HTTPSeeOther(_page_url(request))
    throttle.success(user.username, client)
    try:
        await asyncio.to_thread(store.set_password, user.username, password)
    except WeakPassword:
        await flash(
            request, f"パスワードは{PASSWORD_RULE}にしてください。変更していません。", "error"
        )
        raise web.HTTPSeeOther(_page_url(request)) from None
    ended = await request.app[SESSIONS].end_user_sessions(user.username)
    log.info("password changed by %s; %d session(s) ended", user.username, ended)
    (await get_session(request)).invalidate()
    await new_session(request)
    await flash(
        request,
        "パスワードを変更しました。ほかの端末も含めてログアウトしました。"
        "新しいパスワードでログインしてください。",
    )
    raise web.HTTPSeeOther(str(request.app.router["login"].url_for()))
