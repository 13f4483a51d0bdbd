"""Clearing the per-sender review mark (``bot/tickets/review.py``) from the ticket page.

A coordinator or admin reads a flagged ticket and, if it is a real consultation, clears the
mark: from then on it counts as urgent again if the bot judged it so. Logged as an event.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.console.auth import login_required
from bot.console.flash import flash
from bot.console.keys import REQUEST_USER, STORE
from bot.tickets import TicketError, TicketNotFound, User

log = logging.getLogger(__name__)


@login_required
async def clear_review(request: web.Request) -> web.StreamResponse:
    user: User = request[REQUEST_USER]
    reference = request.match_info["ref"].strip().upper()
    try:
        await asyncio.to_thread(request.app[STORE].clear_review, reference, user)
    except TicketNotFound:
        raise web.HTTPNotFound(text="相談票が見つかりません。") from None
    except TicketError:
        await flash(request, "確認済みにできるのはコーディネーターと管理者です。", "error")
    else:
        log.info("review mark of %s cleared by %s", reference, user.username)
        await flash(request, "確認済みにしました。")
    raise web.HTTPSeeOther(str(request.app.router["ticket"].url_for(ref=reference)))
