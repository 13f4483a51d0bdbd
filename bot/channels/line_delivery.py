"""Delivering the bot's answer to a LINE event: the free reply token first, then push.

A reply token is free and expected but works once and for about a minute, and one call
carries at most 5 messages. So a turn's first 5 messages go by reply while the token is
fresh; the rest, or everything when the token is old or refused, goes by push (which counts
against the channel's monthly quota). A wrong access token is not worked around: pushing
would be refused just the same. When LINE keeps failing, one log line says whose answer is
missing (by pseudonym), never what it said.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.line.client import InvalidReplyTokenError, LineApiClient, LineApiError, LineAuthError
from bot.line.messages import LineMessage, batches
from bot.privacy.logs import hash_user_id

logger = logging.getLogger(__name__)

# LINE reply tokens are valid for about a minute; leave margin for the API call itself.
REPLY_WINDOW_SECONDS = 50.0


class LineDelivery:
    """Sends a turn's messages for an event with the LINE client (reply, then push)."""

    def __init__(
        self,
        api: LineApiClient,
        clock: Callable[[], float],
        reply_window_seconds: float = REPLY_WINDOW_SECONDS,
    ) -> None:
        self._api = api
        self._clock = clock
        self._reply_window = reply_window_seconds

    def reply_token_fresh(self, event: dict[str, Any]) -> bool:
        """Whether the event is recent enough for its reply token to still work."""
        timestamp = event.get("timestamp")
        if not isinstance(timestamp, (int, float)):
            return True
        return self._clock() - timestamp / 1000.0 <= self._reply_window

    async def reply_only(self, event: dict[str, Any], messages: list[LineMessage]) -> None:
        """Answer with the reply token or not at all (groups: never pushed into)."""
        reply_token = event.get("replyToken")
        if not reply_token or not self.reply_token_fresh(event):
            return
        try:
            await self._api.reply(str(reply_token), messages)
        except LineApiError as error:
            logger.warning("LINE: one-to-one notice not delivered (%s)", error.status)

    async def send(self, user_id: str, event: dict[str, Any], messages: list[LineMessage]) -> None:
        """Send a turn's messages: first 5 with the reply token, the rest (or all) by push."""
        groups = batches(messages)
        if not groups:
            return
        reply_token = event.get("replyToken")
        remaining = groups
        who = hash_user_id(user_id)
        try:
            if reply_token and self.reply_token_fresh(event):
                try:
                    await self._api.reply(str(reply_token), groups[0])
                    remaining = groups[1:]
                except InvalidReplyTokenError:
                    logger.info("LINE: reply token rejected for %s, pushing", who)
                except LineAuthError:
                    raise  # pushing would be refused just the same
                except LineApiError as error:
                    # LINE kept failing (429/5xx) after retries; push has its own retries.
                    logger.info("LINE: reply failed for %s (%s), pushing", who, error.status)
            elif reply_token:
                logger.info("LINE: reply token too old for %s, pushing", who)
            for group in remaining:
                await self._api.push(user_id, group)
        except LineApiError as error:
            # The client already logged why; this line says whose answer is missing.
            logger.warning(
                "LINE: answer for event %s to %s not delivered (status %s)",
                event.get("webhookEventId") or "(no id)",
                who,
                error.status or "no answer",
            )
