"""The chat page (``/chat``) and the crisis-lines page (``/chat/crisis``).

Rendered with the chat's own Jinja2 environment (autoescaped, strict undefined) so that the
console's templates and globals are neither needed nor disturbed. Pages carry no inline script
or style, so the console's ``default-src 'self'`` policy applies unchanged.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from bot.directory import City, Directory
from bot.web import texts
from bot.web.crisis import crisis_sections
from bot.web.keys import WEB_CRISIS_LINES, WEB_DIRECTORY, WEB_SETTINGS, WEB_TEMPLATES

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_URL = "/chat/static"


def template_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,  # the city parameter and every data value are escaped
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(texts=texts, static=STATIC_URL)
    return env


def selected_city(directory: Directory, code: str | None) -> City | None:
    """A city we serve, from ``?city=``; anything else (typos, other towns) is ignored."""
    city = directory.city((code or "").strip().lower())
    return None if city is None or city.is_generic else city


def _render(request: web.Request, template: str, context: dict[str, Any]) -> web.Response:
    html = request.app[WEB_TEMPLATES].get_template(template).render(**context)
    response = web.Response(text=html, content_type="text/html", charset="utf-8")
    # Transcripts live in the browser; never let a shared proxy or back-button cache keep pages.
    response.headers["Cache-Control"] = "no-store"
    return response


async def chat_page(request: web.Request) -> web.Response:
    city = selected_city(request.app[WEB_DIRECTORY], request.query.get("city"))
    response = _render(
        request,
        "chat.html",
        {
            "city": city,
            "cities": request.app[WEB_DIRECTORY].cities,
            # For the script: the heading names the conversation's city once it is corrected.
            "city_names": {c.code: c.name for c in request.app[WEB_DIRECTORY].cities},
            "max_chars": texts.MAX_MESSAGE_CHARS,
        },
    )
    # No sender id here: the page's script asks for one (「最初から」 at its start), so loading the
    # page (crawlers, link previews) uses up none of the address's new conversations.
    return response


async def crisis_page(request: web.Request) -> web.Response:
    settings = request.app[WEB_SETTINGS]
    now = datetime.now(ZoneInfo(settings.timezone))
    city = selected_city(request.app[WEB_DIRECTORY], request.query.get("city"))
    lines = request.app[WEB_CRISIS_LINES]
    return _render(
        request,
        "crisis.html",
        {
            "city": city,
            "sections": crisis_sections(lines, now),
            "checked_at": now.strftime("%H時%M分"),
        },
    )
