"""Page rendering with what every console page needs (user, CSRF token, flash messages)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.console.csrf import csrf_token
from bot.console.flash import pop_flashes
from bot.console.keys import REQUEST_USER


async def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    """Render ``template``; the CSRF token is always present so every form can carry it."""
    page: dict[str, Any] = {
        "user": request.get(REQUEST_USER),
        "csrf_token": await csrf_token(request),
        "flashes": await pop_flashes(request),
    }
    page.update(context or {})
    response = aiohttp_jinja2.render_template(template, request, page, status=status)
    response.content_type = "text/html"
    response.charset = "utf-8"
    return response
