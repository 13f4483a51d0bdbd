"""Who may read which analytics in the console, and for which period.

Analytics are masked counts and masked messages, never tickets; still, a city's planning data
is that city's. The rules, applied on every analytics request (pages, charts, downloads and
label POSTs alike):

* ``analytics_required``: analysts, and staff/coordinators/admins an admin granted
  (``User.can_view_analytics``); everyone else gets 403.
* ``parse_scope``: an account of one city always reads that city. Asking for another city
  (``?city=kurume``) is refused with 403 rather than silently ignored, so a bookmarked or
  hand-edited link never shows numbers that look like another city's but are not. Only an
  analyst of every city (``city="all"``) chooses the city, or none (every city).
* The period is JST dates, both ends included, by default the last 12 weeks.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from bot.analytics.events import CITY_CODES, JST
from bot.analytics.labels import NEW_NEED_PREFIX
from bot.analytics.schema import MessageRow
from bot.categories import CATEGORY_LABELS
from bot.console.auth import Handler, login_required
from bot.console.keys import NAMES, REQUEST_USER
from bot.tickets import User
from bot.tickets.domain import ALL_CITIES

ANALYTICS_ENGINE = web.AppKey("console.analytics_engine", Engine)
DEFAULT_WEEKS = 12
# A report over years of data is slow to draw and never what a meeting needs at once.
MAX_DAYS = 3 * 366


def analytics_required(handler: Handler) -> Handler:
    """Logged in and allowed to read analytics; 403 otherwise (staff without the grant)."""

    @login_required
    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        user: User = request[REQUEST_USER]
        if not user.sees_analytics:
            raise web.HTTPForbidden(
                text="分析画面を使う許可がありません。管理者に依頼してください。"
            )
        return await handler(request)

    return wrapper


@dataclass(frozen=True)
class AnalyticsScope:
    """What one request reads: a city (None: every city) and JST dates, both included."""

    city: str | None
    since: date
    until: date
    can_choose_city: bool

    def query(self, **extra: str) -> str:
        """The scope as a query string for links and redirects (``city`` only if chosen)."""
        params: dict[str, str] = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        if self.can_choose_city:
            params["city"] = self.city or ALL_CITIES
        params.update(extra)
        return urlencode(params)


def today_jst() -> date:
    return datetime.now(JST).date()


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name}は YYYY-MM-DD の形で指定してください。") from None


def parse_scope(user: User, params: Mapping[str, str]) -> AnalyticsScope:
    """The scope asked for in ``params`` (query or form), checked against the user's city."""
    fixed = user.analytics_city
    asked = str(params.get("city", "") or "").strip()
    if fixed is not None:
        if asked and asked != fixed:
            raise web.HTTPForbidden(text="ほかの市町村の分析は見られません。")
        city: str | None = fixed
    else:
        city = None if asked in ("", ALL_CITIES) else asked
        if city is not None and city not in CITY_CODES:
            raise web.HTTPBadRequest(text="市町村の指定が正しくありません。")
    until_text = str(params.get("until", "") or "").strip()
    since_text = str(params.get("since", "") or "").strip()
    until = _date(until_text, "終了日") if until_text else today_jst()
    since = (
        _date(since_text, "開始日")
        if since_text
        else until - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
    )
    if since > until:
        raise web.HTTPBadRequest(text="開始日が終了日より後になっています。")
    if (until - since).days > MAX_DAYS:
        raise web.HTTPBadRequest(text="期間は3年以内にしてください。")
    return AnalyticsScope(city, since, until, can_choose_city=fixed is None)


def has_analytic_tables(engine: Engine) -> bool:
    """False until the ingestion worker (``intake analytics consume``) created the tables."""
    return bool(inspect(engine).has_table(MessageRow.__tablename__))


def label_text(value: str) -> str:
    """A stored label as analysts read it: ``housing+debt`` → 住まい＋借金."""
    if value.startswith(NEW_NEED_PREFIX):
        return f"新しいニーズ「{value[len(NEW_NEED_PREFIX) :]}」"
    return "＋".join(CATEGORY_LABELS.get(code, code) for code in value.split("+"))


def compose_label(category: str, new_need: str) -> str:
    """The label a form asks for: one existing category, or a new need's short name."""
    category, new_need = category.strip(), new_need.strip()
    if category and new_need:
        raise ValueError("分野と新しいニーズは、どちらか一方だけを入力してください。")
    if not category and not new_need:
        raise ValueError("分野を選ぶか、新しいニーズの名前を入力してください。")
    return category or NEW_NEED_PREFIX + new_need


def city_options(request: web.Request) -> list[tuple[str, str]]:
    names = request.app[NAMES]
    return [(ALL_CITIES, "全市町村")] + [(code, names.city_name(code)) for code in CITY_CODES]


async def scope_of(request: web.Request) -> tuple[AnalyticsScope, bool]:
    """The request's scope (403/400 when refused) and whether the analytic tables exist."""
    scope = parse_scope(request[REQUEST_USER], request.query)
    ready = await asyncio.to_thread(has_analytic_tables, request.app[ANALYTICS_ENGINE])
    return scope, ready


def page_context(request: web.Request, scope: AnalyticsScope, ready: bool) -> dict[str, Any]:
    """What both analytics pages need: the scope, its filter form, the place's name."""
    names = request.app[NAMES]
    return {
        "scope": scope,
        "ready": ready,
        "place": "全市町村" if scope.city is None else names.city_name(scope.city),
        "city_options": city_options(request) if scope.can_choose_city else [],
        "selected_city": scope.city or ALL_CITIES,
        "query": scope.query(),
    }
