"""User administration for a city's admin: list, create (with a password), disable.

Admins act only within their own city: the city of a new account is the admin's, and an
account of another city is a 404 like an unknown one. API tokens are listed here with their
expiry and last use (a token nobody uses should be revoked), but issuing them stays a CLI task
(``intake token create``) because a token must be shown exactly once, to the right person.
Disabling a user ends all of their console sessions at once.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.console.auth import admin_required
from bot.console.flash import flash
from bot.console.keys import NAMES, REQUEST_USER, SESSIONS, STORE
from bot.console.labels import ROLE_LABELS
from bot.console.render import render
from bot.tickets import Role, User, UserError, WeakPassword
from bot.tickets.credentials import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PASSWORD_RULE

log = logging.getLogger(__name__)


def _users_url(request: web.Request) -> str:
    return str(request.app.router["users"].url_for())


@admin_required
async def users_page(request: web.Request) -> web.StreamResponse:
    admin: User = request[REQUEST_USER]
    store = request.app[STORE]
    users = await asyncio.to_thread(store.list_users, admin.city)
    tokens = await asyncio.to_thread(store.list_city_api_tokens, admin.city)
    return await render(
        request,
        "users.html",
        {
            "users": users,
            "tokens": tokens,
            "now": store.now(),
            "password_rule": PASSWORD_RULE,
            "min_length": MIN_PASSWORD_LENGTH,
            "max_length": MAX_PASSWORD_LENGTH,
            "role_options": list(ROLE_LABELS.items()),
            "window_options": request.app[NAMES].city_windows(admin.city),
        },
    )


@admin_required
async def create_user(request: web.Request) -> web.StreamResponse:
    admin: User = request[REQUEST_USER]
    form = await request.post()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    if password != str(form.get("password_confirm", "")):
        await flash(request, "確認用のパスワードが一致しません。作成していません。", "error")
        raise web.HTTPSeeOther(_users_url(request))
    role = str(form.get("role", ""))
    window = str(form.get("window_id", "")).strip() or None
    display_name = str(form.get("display_name", "")).strip() or None
    if role not in {r.value for r in Role}:
        await flash(request, "役割を選んでください。", "error")
        raise web.HTTPSeeOther(_users_url(request))
    try:
        created = await asyncio.to_thread(
            request.app[STORE].create_user,
            username,
            password,
            role=role,
            city=admin.city,
            window_id=window,
            display_name=display_name,
        )
    except WeakPassword:
        await flash(
            request, f"パスワードは{PASSWORD_RULE}にしてください。作成していません。", "error"
        )
    except UserError as error:
        await flash(request, f"作成できませんでした：{error}", "error")
    else:
        log.info("user %s created by %s", created.username, admin.username)
        await flash(request, f"ユーザー {created.username} を作成しました。")
    raise web.HTTPSeeOther(_users_url(request))


@admin_required
async def set_analytics_access(request: web.Request) -> web.StreamResponse:
    """Grant or withdraw the analytics pages for an account of the admin's own city.

    Takes effect on the account's next request (the user is re-read every time); an
    analyst's access is their role and cannot be withdrawn here (disable the account).
    """
    admin: User = request[REQUEST_USER]
    store = request.app[STORE]
    target = await asyncio.to_thread(store.get_user, request.match_info["username"])
    if target is None or target.city != admin.city:
        raise web.HTTPNotFound(text="ユーザーが見つかりません。")
    form = await request.post()
    allowed = str(form.get("access", "")) == "grant"
    try:
        changed = await asyncio.to_thread(store.set_analytics_access, target.username, allowed)
    except UserError as error:
        await flash(request, f"変更できませんでした：{error}", "error")
        raise web.HTTPSeeOther(_users_url(request)) from None
    log.info(
        "analytics %s for %s by %s",
        "granted" if changed.can_view_analytics else "withdrawn",
        changed.username,
        admin.username,
    )
    state = "使えるようにしました" if changed.can_view_analytics else "使えないようにしました"
    await flash(request, f"ユーザー {changed.username} が分析画面を{state}。")
    raise web.HTTPSeeOther(_users_url(request))


@admin_required
async def disable_user(request: web.Request) -> web.StreamResponse:
    admin: User = request[REQUEST_USER]
    store = request.app[STORE]
    username = request.match_info["username"]
    target = await asyncio.to_thread(store.get_user, username)
    if target is None or target.city != admin.city:
        raise web.HTTPNotFound(text="ユーザーが見つかりません。")
    if target.username == admin.username:
        await flash(request, "自分自身は無効にできません。", "error")
        raise web.HTTPSeeOther(_users_url(request))
    await asyncio.to_thread(store.disable_user, target.username)
    ended = await request.app[SESSIONS].end_user_sessions(target.username)
    log.info("user %s disabled by %s; %d session(s) ended", target.username, admin.username, ended)
    await flash(
        request,
        f"ユーザー {target.username} を無効にしました。ログイン中の画面はすべてログアウトし、"
        "APIトークンも使えなくなります。",
    )
    raise web.HTTPSeeOther(_users_url(request))
