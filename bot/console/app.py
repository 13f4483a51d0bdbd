"""Application factory for the staff console (aiohttp-demos style).

``create_app`` wires settings, the ticket store, sessions, CSRF, templates, security headers
and routes. Other parts of the project add their own routes through ``plugins``: each is a
callable receiving the application before it starts (e.g. ``bot/web``'s residents' chat page),
reading ``app[STORE]`` / ``app[SETTINGS]`` if it needs them and decorating cookie-less POST
handlers with ``csrf_exempt``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import session_middleware

from bot.console import (
    api,
    auth,
    labels,
    views_account,
    views_analytics,
    views_queue,
    views_review,
    views_ticket,
    views_users,
)
from bot.console.csrf import csrf_middleware
from bot.console.errors import error_middleware
from bot.console.keys import (
    CSP,
    NAMES,
    SECURE_TRANSPORT,
    SESSIONS,
    SETTINGS,
    STORE,
    THROTTLE,
    TIMEZONE,
)
from bot.console.line_contact import setup_line_contact
from bot.console.names import DisplayNames
from bot.console.security import DEFAULT_CSP, add_security_headers, transport_is_secure
from bot.console.sessions import (
    DatabaseSessionBackend,
    RedisSessionBackend,
    ServerSideStorage,
    SessionBackend,
)
from bot.console.throttle import LoginThrottle
from bot.settings import Settings, load_settings
from bot.tickets import TicketStore

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
SESSION_COOKIE = "intake_console"

Plugin = Callable[[web.Application], None]


def session_storage(
    settings: Settings,
    store: TicketStore,
    clock: Callable[[], float] | None = None,
    backend: SessionBackend | None = None,
) -> ServerSideStorage:
    """Server-side sessions (``sessions.py``): Redis when configured, else the database.

    The cookie is HttpOnly, SameSite=Lax, and Secure outside loopback (``security.py``). A
    ``backend`` passed in (tests: Redis under a prefix of their own) is used as it is.
    """
    if backend is None and settings.redis_url:
        backend = RedisSessionBackend(settings.redis_url, clock=clock or time.time)
    elif backend is None:
        backend = DatabaseSessionBackend(store)
    return ServerSideStorage(
        backend,
        cookie_name=SESSION_COOKIE,
        idle=settings.console_session_idle_minutes * 60,
        absolute=settings.console_session_max_hours * 3600,
        secure=transport_is_secure(settings),
        **({"clock": clock} if clock else {}),
    )


async def healthz(_request: web.Request) -> web.Response:
    """For the run script and monitoring; touches nothing, reveals nothing."""
    return web.Response(text="ok")


def setup_templates(app: web.Application, tz: ZoneInfo) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(PACKAGE_DIR / "templates")),
        autoescape=True,  # never ``|safe`` on user data
        undefined=jinja2.StrictUndefined,
    )
    env.filters["local_time"] = lambda moment: labels.format_local(moment, tz)
    env.globals.update(
        STATUS=labels.STATUS_LABELS,
        PRIORITY=labels.PRIORITY_LABELS,
        CATEGORY=labels.CATEGORY_LABELS,
        ROLE=labels.ROLE_LABELS,
        EVENT=labels.EVENT_LABELS,
        SHARED=labels.SHARED_ITEM_LABELS,
        CHANNEL=labels.CHANNEL_LABELS,
        CRISIS_KIND=labels.CRISIS_KIND_LABELS,
        ACTOR=labels.ACTOR_LABELS,
        label=labels.label,
        describe_event=labels.describe_event,
        names=app[NAMES],
    )


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/healthz", healthz, name="healthz")
    r.add_get("/login", auth.login_page, name="login")
    r.add_post("/login", auth.login_submit)
    r.add_post("/logout", auth.logout, name="logout")
    r.add_get("/account/password", views_account.password_page, name="account_password")
    r.add_post("/account/password", views_account.change_password)
    r.add_get("/", views_queue.queue, name="queue")
    r.add_get("/tickets/{ref}", views_ticket.ticket_page, name="ticket")
    r.add_post("/tickets/{ref}/assign", views_ticket.assign_self, name="ticket_assign")
    r.add_post("/tickets/{ref}/status", views_ticket.change_status, name="ticket_status")
    r.add_post("/tickets/{ref}/notes", views_ticket.add_note, name="ticket_note")
    r.add_post("/tickets/{ref}/refer", views_ticket.refer, name="ticket_refer")
    r.add_post("/tickets/{ref}/line", views_ticket.send_line, name="ticket_line")
    r.add_post("/tickets/{ref}/review", views_review.clear_review, name="ticket_review")
    r.add_get("/users", views_users.users_page, name="users")
    r.add_post("/users", views_users.create_user)
    r.add_post("/users/{username}/disable", views_users.disable_user, name="user_disable")
    r.add_post(
        "/users/{username}/analytics", views_users.set_analytics_access, name="user_analytics"
    )
    r.add_get("/api/tickets", api.list_tickets, name="api_tickets")
    r.add_get("/api/tickets/{ref}", api.get_ticket, name="api_ticket")
    r.add_static("/static/", PACKAGE_DIR / "static", name="static")


def create_app(
    settings: Settings | None = None,
    store: TicketStore | None = None,
    *,
    plugins: Iterable[Plugin] = (),
    names: DisplayNames | None = None,
    throttle: LoginThrottle | None = None,
    session_clock: Callable[[], float] | None = None,
    session_backend: SessionBackend | None = None,
) -> web.Application:
    """Build the console. Does not migrate: ``python -m bot.console`` does that at start-up.

    A store passed in stays owned by the caller; one built here from ``settings.database_url``
    is disposed on shutdown. ``session_clock`` (unix seconds) lets tests age sessions;
    ``session_backend`` replaces the one chosen from the settings (and is closed on shutdown).
    """
    settings = settings or load_settings()
    owns_store = store is None
    ticket_store = store or TicketStore.from_settings(settings)
    sessions = session_storage(settings, ticket_store, session_clock, session_backend)

    app = web.Application(
        middlewares=[
            session_middleware(sessions),
            error_middleware,
            csrf_middleware,
        ],
        client_max_size=256 * 1024,  # forms are small; notes are capped at 10,000 characters
    )
    app[SETTINGS] = settings
    app[STORE] = ticket_store
    app[NAMES] = names or DisplayNames.load(settings.cities_dir)
    app[TIMEZONE] = ZoneInfo(settings.timezone)
    app[THROTTLE] = throttle or LoginThrottle()
    app[SESSIONS] = sessions
    app[SECURE_TRANSPORT] = transport_is_secure(settings)
    app[CSP] = DEFAULT_CSP
    setup_templates(app, app[TIMEZONE])
    setup_routes(app)
    setup_line_contact(app)  # staff write to LINE residents from the ticket page
    views_analytics.setup(app)  # analysts' report and unmet-need inbox (own routes, engine)
    # aiohttp 3.9 annotates signals for aiosignal<1.4; the callback has the documented shape.
    app.on_response_prepare.append(add_security_headers)  # type: ignore[arg-type]

    async def close_sessions(_app: web.Application) -> AsyncIterator[None]:
        yield
        await sessions.backend.close()

    app.cleanup_ctx.append(close_sessions)

    if owns_store:

        async def dispose_store(_app: web.Application) -> AsyncIterator[None]:
            yield
            ticket_store.dispose()

        app.cleanup_ctx.append(dispose_store)

    for plugin in plugins:
        plugin(app)
    return app
