"""Issuing new sender ids, at most ``RATE_LIMIT_WEB_NEW_CONVERSATIONS`` per client per hour.

Why: the per-conversation rate limit and the per-sender 要確認 mark on tickets both count by
sender id, and anyone can drop a cookie. Without this limit a script that starts a new
conversation per message (no cookie, or ``POST /chat/api/new``) gets a fresh id each time and
escapes both. Counting new ids per client address closes that; the allowance is generous
(default 30 an hour) because a mobile carrier's CGNAT puts many residents behind one IPv4
address. IPv6 clients are counted per /64 (``bot.httputil.address_key``).

Only the chat API issues ids (a message without a cookie, 「最初から」); loading the page does
not, so crawlers and link previews use up nobody's allowance.
"""

from __future__ import annotations

from aiohttp import web

from bot.httputil import address_key, client_address
from bot.ratelimit import FloodDecision, Limit
from bot.web.keys import WEB_FLOOD_GUARD, WEB_SETTINGS, WEB_SIGNER
from bot.web.sender_cookie import cookie_secure, new_sender, set_sender_cookie

NEW_CONVERSATION_WINDOW_SECONDS = 3600.0


def client_key(request: web.Request) -> str:
    """The pseudonym this request's client address is counted under (all per-address limits)."""
    hops = request.app[WEB_SETTINGS].web_trusted_proxy_hops
    return address_key(client_address(request, hops))


async def issue_sender(request: web.Request, text: str | None) -> str | FloodDecision:
    """A fresh ``web-`` sender id, or the refusal when this client has started too many.

    ``text`` is the message that needs the id (None for 「最初から」): crisis words are still
    answered with the crisis lines when refused.
    """
    settings = request.app[WEB_SETTINGS]
    limit = Limit(settings.rate_web_new_conversations, NEW_CONVERSATION_WINDOW_SECONDS)
    decision = await request.app[WEB_FLOOD_GUARD].check(
        [(f"web:new:{client_key(request)}", limit)], text
    )
    return new_sender() if decision.allowed else decision


def give_sender(request: web.Request, response: web.StreamResponse, sender: str) -> None:
    """Put ``sender`` in the response's signed cookie."""
    secure = cookie_secure(request, request.app[WEB_SETTINGS])
    set_sender_cookie(response, request.app[WEB_SIGNER], sender, secure=secure)
