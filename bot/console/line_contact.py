"""Staff write to a resident through the bot's LINE account, from the ticket page.

A resident who consulted on LINE and chose 「LINE」 as the way to be contacted can only be
reached there: staff must not use personal LINE accounts, and the bot's account is the one the
resident talks to. So the ticket page offers a small form that pushes the staff member's text
to the resident (LINE push API, the channel access token from ``bot.settings``), and records it
in the ticket's event log.

The address is the ticket's ``conversation_id``: for a LINE conversation it is the resident's
LINE user id (the Rasa sender id). It is kept as-is because a push needs it verbatim (a hash
could not be sent to), it is a per-provider pseudonym useless without the city's channel
access token, and it already sits in the tracker store. It is never shown in the page or in
logs; only ``is_line_user_id`` looks at it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

from aiohttp import web

from bot.channels.line_api import LineApiClient
from bot.console.keys import SETTINGS
from bot.tickets import Channel, ContactMethod, Status, Ticket

LINE_API = web.AppKey("console.line_api", LineApiClient)
MAX_LINE_TEXT = 2000  # well under LINE's 5000; a message to a resident should be short
_LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")


def is_line_user_id(value: str) -> bool:
    """LINE user ids are ``U`` + 32 hex digits; anything else cannot be pushed to."""
    return bool(_LINE_USER_ID.match(value))


def reachable_by_line(ticket: Ticket) -> bool:
    """The resident consulted on LINE and asked to be contacted there."""
    return (
        ticket.channel is Channel.LINE
        and ticket.summary.contact_method is ContactMethod.LINE
        and is_line_user_id(ticket.conversation_id)
    )


def line_block_reason(ticket: Ticket, configured: bool) -> str | None:
    """Why staff cannot write on LINE for this ticket, in words they can act on; None: can."""
    if ticket.channel is not Channel.LINE or not is_line_user_id(ticket.conversation_id):
        return "LINEから受け付けた相談ではないため、LINEでは送れません。"
    if ticket.summary.contact_method is not ContactMethod.LINE:
        return "ご本人が連絡方法にLINEをえらんでいないため、LINEでは送りません。"
    if not configured:
        return (
            "LINEの設定（LINE_CHANNEL_ACCESS_TOKEN）がないため、送れません。"
            "管理者に連絡してください。"
        )
    if ticket.status is Status.CLOSED:
        return "終了した相談票です。送るときは、状態を「対応中」に戻してください。"
    return None


def new_retry_key() -> str:
    """One key per rendered form: a double click or a resent form reaches LINE only once."""
    return str(uuid.uuid4())


def valid_retry_key(value: str) -> str:
    """The form's key if it is a UUID, else a fresh one (LINE accepts only UUIDs)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return new_retry_key()


def setup_line_contact(app: web.Application) -> None:
    """Give the console a LINE client when the access token is configured (closed on exit)."""
    settings = app[SETTINGS]
    if not settings.line_channel_access_token:
        return
    client = LineApiClient(
        settings.line_channel_access_token,
        settings.line_api_base,
        # Staff wait for the page: fewer, shorter retries than the webhook's.
        max_attempts=3,
        max_backoff_seconds=4.0,
    )
    app[LINE_API] = client

    async def close_client(_app: web.Application) -> AsyncIterator[None]:
        yield
        await client.close()

    app.cleanup_ctx.append(close_client)
