"""Typed application keys shared by the console modules and by plugins (``bot/web``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.names import DisplayNames
from bot.console.sessions import ServerSideStorage
from bot.console.throttle import LoginThrottle
from bot.settings import Settings
from bot.tickets import TicketStore

SETTINGS = web.AppKey("console.settings", Settings)
STORE = web.AppKey("console.store", TicketStore)
NAMES = web.AppKey("console.names", DisplayNames)
TIMEZONE = web.AppKey("console.timezone", ZoneInfo)
THROTTLE = web.AppKey("console.login_throttle", LoginThrottle)
SESSIONS = web.AppKey("console.sessions", ServerSideStorage)
# True when cookies are Secure and HSTS is sent (``security.transport_is_secure``).
SECURE_TRANSPORT = web.AppKey("console.secure_transport", bool)
# The Content-Security-Policy sent with every response; a plugin that needs more (e.g. a
# websocket to another origin) may replace it in its setup callable.
CSP = web.AppKey("console.csp", str)

# Per-request slot for the logged-in staff member (set by ``auth.login_required``).
REQUEST_USER = "console.user"
