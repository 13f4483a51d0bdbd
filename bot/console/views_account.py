"""A staff member changes their own password; every session of theirs ends at once.

Changing the password is what staff do when they suspect someone saw it, so all sessions —
on this PC and any other — end, this one included: the member logs in again with the new
password (cheap, and the clearest signal that the old sessions are gone).
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from aiohttp_session import get_session, new_session

from bot.console.auth import login_required
from bot.console.flash import flash
from bot.console.keys import REQUEST_USER, SESSIONS, STORE
from bot.console.render import render
from bot.tickets import User, WeakPassword
from bot.tickets.credentials import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PASSWORD_RULE

log = logging.getLogger(__name__)


def _page_url(request: web.Request) -> str:
    return str(request.app.router["account_password"].url_for())


@login_required
async def password_page(request: web.Request) -> web.StreamResponse:
    return await render(
        request,
        "account_password.html",
        {
            "min_length": MIN_PASSWORD_LENGTH,
            "max_length": MAX_PASSWORD_LENGTH,
            "rule": PASSWORD_RULE,
        },
    )


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
    if await asyncio.to_thread(store.authenticate, user.username, current) is None:
        await flash(request, "いまのパスワードが違います。変更していません。", "error")
        raise web.HTTPSeeOther(_page_url(request))
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
