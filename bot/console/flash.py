"""One-shot messages shown after a redirect (Post/Redirect/Get), kept in the session."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from aiohttp_session import get_session

Level = Literal["info", "error"]
_KEY = "flash"


async def flash(request: web.Request, message: str, level: Level = "info") -> None:
    session = await get_session(request)
    session[_KEY] = [*session.get(_KEY, []), [level, message]]


async def pop_flashes(request: web.Request) -> list[tuple[str, str]]:
    session = await get_session(request)
    messages = session.pop(_KEY, [])
    return [(str(level), str(text)) for level, text in messages]
