"""Minimal LINE Messaging API client: reply and push, nothing else.

The official ``line-bot-sdk`` v3 cannot be installed next to Rasa 3.6 (it needs pydantic 2 and
a newer aiohttp), and the channel only needs two endpoints, so they are called directly with
aiohttp. The base URL is configurable so tests can point it at a local fake server.

How LINE's errors are handled, and why:

- 400 "Invalid reply token" (used or expired, ~1 minute): ``InvalidReplyTokenError``, never
  retried; the caller pushes instead.
- 401/403 (wrong or revoked channel access token): ``LineAuthError`` and one error line that
  names the setting to fix; not retried, since every retry would fail the same way.
- 429 (rate limit) and 5xx, timeouts and connection errors: retried with exponential backoff
  and jitter, honouring ``Retry-After``, at most ``max_attempts`` times; then one log line and
  ``LineApiError``. A resident in crisis should still get the answer if LINE hiccups, but a
  webhook task must not retry forever.
- Push carries an ``X-Line-Retry-Key``, reused by the retries of one push, so a push whose
  first attempt did reach LINE is not delivered twice: LINE answers 409 and we count it sent.

Log lines name the endpoint, status and attempt count only: no message text, no user id, no
token.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp

from bot.line.messages import MAX_MESSAGES_PER_CALL

logger = logging.getLogger(__name__)

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
RETRY_KEY_HEADER = "X-Line-Retry-Key"

Sleep = Callable[[float], Awaitable[None]]


class LineApiError(Exception):
    """LINE answered a request with an error status (0: LINE could not be reached)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"LINE API error {status}: {message}")
        self.status = status
        self.message = message


class InvalidReplyTokenError(LineApiError):
    """The reply token expired or was already used; the answer must be pushed instead."""


class LineAuthError(LineApiError):
    """The channel access token was refused: a configuration error, not worth retrying."""


class PushResult(enum.Enum):
    SENT = "sent"
    #: LINE had already accepted a push with this retry key (409): delivered once, not twice.
    ALREADY_SENT = "already_sent"


def _is_transient(status: int) -> bool:
    return status == 429 or status >= 500


def _retry_after(response: aiohttp.ClientResponse) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None  # HTTP dates are allowed by the RFC but not used by LINE: back off instead
    return max(0.0, seconds)


class LineApiClient:
    """Sends messages with the channel access token; one HTTP session per client.

    The session is created lazily because aiohttp sessions must be created inside the event
    loop that will use them (Sanic starts its loop after the channel object is built).
    """

    def __init__(
        self,
        access_token: str,
        api_base: str = "https://api.line.me",
        timeout_seconds: float = 10.0,
        *,
        max_attempts: int = 4,
        backoff_base_seconds: float = 0.5,
        max_backoff_seconds: float = 8.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._access_token = access_token
        self._api_base = api_base.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None
        self.max_attempts = max(1, max_attempts)
        self.backoff_base_seconds = backoff_base_seconds
        # Also caps Retry-After: a resident waiting minutes is worse than a logged failure.
        self.max_backoff_seconds = max_backoff_seconds
        self._sleep = sleep

    async def reply(self, reply_token: str, messages: Sequence[dict[str, Any]]) -> None:
        """Answer an event with its reply token (free of charge, usable once, ~1 minute)."""
        await self._post(REPLY_PATH, {"replyToken": reply_token, "messages": list(messages)})

    async def push(
        self, to: str, messages: Sequence[dict[str, Any]], *, retry_key: str | None = None
    ) -> PushResult:
        """Send to a user id at any time (counts against the channel's monthly quota).

        ``retry_key`` (a UUID) lets a caller that repeats a whole push (e.g. a staff member
        pressing "send" twice) be told ``ALREADY_SENT`` instead of messaging twice.
        """
        key = retry_key or str(uuid.uuid4())
        status = await self._post(
            PUSH_PATH, {"to": to, "messages": list(messages)}, {RETRY_KEY_HEADER: key}
        )
        return PushResult.ALREADY_SENT if status == 409 else PushResult.SENT

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff_seconds)
        delay = self.backoff_base_seconds * (2 ** (attempt - 1))
        # Up to 10% jitter so several instances do not retry in lockstep.
        return min(delay * (1 + random.random() / 10), self.max_backoff_seconds)

    async def _post(
        self, path: str, body: dict[str, Any], extra_headers: dict[str, str] | None = None
    ) -> int:
        """POST with retries; returns the final success status (2xx, or 409 for a retry key)."""
        if len(body["messages"]) > MAX_MESSAGES_PER_CALL:
            raise ValueError("LINE accepts at most 5 messages per call")
        headers = {"Authorization": f"Bearer {self._access_token}", **(extra_headers or {})}
        endpoint = path.rsplit("/", 1)[-1]
        last_error = LineApiError(0, "not attempted")
        for attempt in range(1, self.max_attempts + 1):
            retry_after: float | None = None
            try:
                async with self._get_session().post(
                    self._api_base + path, json=body, headers=headers
                ) as response:
                    if response.status < 300:
                        return response.status
                    message = await _error_message(response)
                    if response.status == 409 and RETRY_KEY_HEADER in headers:
                        return 409  # a retry LINE had already accepted: delivered once
                    last_error = self._classify(response.status, message, endpoint)
                    retry_after = _retry_after(response)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                last_error = LineApiError(0, f"{type(error).__name__} (LINE not reachable)")
            if not _is_transient(last_error.status) and last_error.status != 0:
                raise last_error
            if attempt < self.max_attempts:
                await self._sleep(self._backoff(attempt, retry_after))
        logger.error(
            "LINE: %s gave up after %d attempts (last status %s)",
            endpoint,
            self.max_attempts,
            last_error.status or "no answer",
        )
        raise last_error

    @staticmethod
    def _classify(status: int, message: str, endpoint: str) -> LineApiError:
        # LINE's error messages describe the request, not the resident's text.
        if status == 400 and "reply token" in message.lower():
            return InvalidReplyTokenError(status, message)
        if status in (401, 403):
            logger.error(
                "LINE: %s refused with %d: the channel access token is wrong or revoked; "
                "check LINE_CHANNEL_ACCESS_TOKEN (not retried)",
                endpoint,
                status,
            )
            return LineAuthError(status, message)
        return LineApiError(status, message)


async def _error_message(response: aiohttp.ClientResponse) -> str:
    try:
        payload = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return (await response.text())[:200]
    if isinstance(payload, dict):
        return str(payload.get("message", ""))[:200]
    return ""
