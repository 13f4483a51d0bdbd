"""Typed application keys of the web chat, separate from the console's so neither clobbers."""

from __future__ import annotations

import aiohttp
import jinja2
from aiohttp import web

from bot.directory import CrisisLine, Directory
from bot.ratelimit import FloodGuard
from bot.settings import Settings
from bot.web.offers import OfferStore
from bot.web.sender_cookie import SenderSigner

WEB_SETTINGS = web.AppKey("web.settings", Settings)
# The chat's own template environment: the console's aiohttp_jinja2 set-up stays untouched.
WEB_TEMPLATES = web.AppKey("web.templates", jinja2.Environment)
RASA_CLIENT = web.AppKey("web.rasa_client", aiohttp.ClientSession)
WEB_DIRECTORY = web.AppKey("web.directory", Directory)
WEB_CRISIS_LINES: web.AppKey[tuple[CrisisLine, ...]] = web.AppKey("web.crisis_lines")
# Server-issued sender ids (nobody posts as another), the buttons each conversation was
# offered (only those pass as payloads), rate limits (a flood is slowed down).
WEB_SIGNER = web.AppKey("web.signer", SenderSigner)
WEB_OFFERS: web.AppKey[OfferStore] = web.AppKey("web.offers")
WEB_FLOOD_GUARD = web.AppKey("web.flood_guard", FloodGuard)
# Standalone chat only (``create_web_app``): send HSTS (inside the console, the console does).
WEB_HSTS = web.AppKey("web.hsts", bool)
# Payloads the page itself sends to start (greeting, preselected city), never shown as buttons.
WEB_START_PAYLOADS: web.AppKey[frozenset[str]] = web.AppKey("web.start_payloads")
