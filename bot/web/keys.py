"""Typed application keys of the web chat, separate from the console's so neither clobbers."""

from __future__ import annotations

import aiohttp
import jinja2
from aiohttp import web

from bot.directory import CrisisLine, Directory
from bot.settings import Settings

WEB_SETTINGS = web.AppKey("web.settings", Settings)
# The chat's own template environment: the console's aiohttp_jinja2 set-up stays untouched.
WEB_TEMPLATES = web.AppKey("web.templates", jinja2.Environment)
RASA_CLIENT = web.AppKey("web.rasa_client", aiohttp.ClientSession)
WEB_DIRECTORY = web.AppKey("web.directory", Directory)
WEB_CRISIS_LINES: web.AppKey[tuple[CrisisLine, ...]] = web.AppKey("web.crisis_lines")
