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

import asyncio
import enum
import logging
import re
import uuid
from collections.abc import AsyncIterator

from aiohttp import web

from bot.console.keys import SETTINGS
from bot.console.labels import (
    LINE_EMPTY_TEXT,
    LINE_NOT_CHOSEN,
    LINE_NOT_CONFIGURED,
    LINE_NOT_FROM_LINE,
    LINE_TEXT_TOO_LONG,
    LINE_TICKET_CLOSED,
)
from bot.line.client import LineApiClient, LineApiError, LineAuthError, PushResult
from bot.line.messages import text_message
from bot.tickets import Channel, ContactMethod, Status, Ticket, TicketStore, User

log = logging.getLogger(__name__)

LINE_API = web.AppKey("console.line_api", LineApiClient)
MAX_LINE_TEXT = 2000  # well under LINE's 5000; a message to a resident should be short
_LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")


class SendOutcome(enum.Enum):
    """What became of a staff message (the view turns each into a flash message)."""

    SENT = "sent"
    #: LINE had already accepted a push with this form's retry key: delivered once, and
    #: logged now if the first attempt was not (its log failed after the push).
    ALREADY_SENT = "already_sent"
    #: The channel access token was refused: a configuration error for the administrator.
    AUTH_FAILED = "auth_failed"
    #: LINE could not be reached or kept failing after the client's retries: not sent.
    LINE_UNREACHABLE = "line_unreachable"


def is_line_user_id(value: str) -> bool:
    """LINE user ids are ``U`` + 32 hex digits; anything else cannot be pushed to."""
    return bool(_LINE_USER_ID.match(value))


def why_not_a_line_contact(ticket: Ticket) -> str | None:
    """Why the resident cannot be written to on LINE at all (whatever the ticket's status and
    the console's configuration); None: they consulted on LINE and asked to be contacted there.
    """
    if ticket.channel is not Channel.LINE or not is_line_user_id(ticket.conversation_id):
        return LINE_NOT_FROM_LINE
    if ticket.summary.contact_method is not ContactMethod.LINE:
        return LINE_NOT_CHOSEN
    return None


def reachable_by_line(ticket: Ticket) -> bool:
    """The resident consulted on LINE and asked to be contacted there."""
    return why_not_a_line_contact(ticket) is None


def line_block_reason(ticket: Ticket, configured: bool) -> str | None:
    """Why staff cannot write on LINE for this ticket, in words they can act on; None: can."""
    reason = why_not_a_line_contact(ticket)
    if reason is not None:
        return reason
    if not configured:
        return LINE_NOT_CONFIGURED
    if ticket.status is Status.CLOSED:
        return LINE_TICKET_CLOSED
    return None


def send_refusal(ticket: Ticket, text: str, configured: bool) -> str | None:
    """Why this text is not sent for this ticket (checked before LINE is asked); None: send."""
    reason = line_block_reason(ticket, configured)
    if reason is None and not text:
        reason = LINE_EMPTY_TEXT
    if reason is None and len(text) > MAX_LINE_TEXT:
        reason = LINE_TEXT_TOO_LONG.format(limit=MAX_LINE_TEXT)
    return reason


def new_retry_key() -> str:
    """One key per rendered form: a double click or a resent form reaches LINE only once."""
    return str(uuid.uuid4())


def valid_retry_key(value: str) -> str:
    """The form's key if it is a UUID, else a fresh one (LINE accepts only UUIDs)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return new_retry_key()


async def send_to_resident(
    api: LineApiClient,
    store: TicketStore,
    ticket: Ticket,
    text: str,
    by: User,
    retry_key: str,
) -> SendOutcome:
    """Push ``text`` to the ticket's resident and log it on the ticket, exactly once each.

    The push carries ``retry_key`` (``X-Line-Retry-Key``), so sending one form again never
    messages the resident twice: LINE answers 409, ``ALREADY_SENT``. The log is written after
    a 409 as well, because the first attempt may have reached LINE and then failed to log (the
    database hiccuped, the process stopped); the store logs one retry key once. If logging
    fails here, the error propagates: the page says something went wrong, and sending the same
    form again logs the message without sending it twice.
    """
    try:
        result = await api.push(ticket.conversation_id, [text_message(text)], retry_key=retry_key)
    except LineAuthError:
        return SendOutcome.AUTH_FAILED  # the client logged which setting to fix
    except LineApiError as error:
        log.warning("LINE message for %s not sent (status %s)", ticket.reference, error.status)
        return SendOutcome.LINE_UNREACHABLE
    await asyncio.to_thread(
        store.record_line_message, ticket.reference, text, by, retry_key=retry_key
    )
    if result is PushResult.ALREADY_SENT:
        log.info("LINE message for %s already sent (same form), logged once", ticket.reference)
        return SendOutcome.ALREADY_SENT
    log.info("LINE message sent for %s by %s", ticket.reference, by.username)
    return SendOutcome.SENT


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
