"""Minimal LINE Messaging API client: reply and push, nothing else.

The official ``line-bot-sdk`` v3 cannot be installed next to Rasa 3.6 (it needs pydantic 2 and
a newer aiohttp), and the channel only needs two endpoints, so they are called directly with
aiohttp. The base URL is configurable so tests can point it at a local fake server.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"


class LineApiError(Exception):
    """LINE answered a request with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"LINE API error {status}: {message}")
        self.status = status
        self.message = message


class InvalidReplyTokenError(LineApiError):
    """The reply token expired or was already used; the answer must be pushed instead."""


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
    ) -> None:
        self._access_token = access_token
        self._api_base = api_base.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def reply(self, reply_token: str, messages: Sequence[dict[str, Any]]) -> None:
        """Answer an event with its reply token (free of charge, usable once, ~1 minute)."""
        await self._post(REPLY_PATH, {"replyToken": reply_token, "messages": list(messages)})

    async def push(self, to: str, messages: Sequence[dict[str, Any]]) -> None:
        """Send to a user id at any time (counts against the channel's monthly quota)."""
        await self._post(PUSH_PATH, {"to": to, "messages": list(messages)})

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def _post(self, path: str, body: dict[str, Any]) -> None:
        if len(body["messages"]) > 5:
            raise ValueError("LINE accepts at most 5 messages per call")
        headers = {"Authorization": f"Bearer {self._access_token}"}
        session = self._get_session()
        async with session.post(self._api_base + path, json=body, headers=headers) as response:
            if response.status < 300:
                return
            message = await _error_message(response)
            if response.status == 400 and "reply token" in message.lower():
                raise InvalidReplyTokenError(response.status, message)
            # LINE's error messages describe the request, not the resident's text.
            raise LineApiError(response.status, message)


async def _error_message(response: aiohttp.ClientResponse) -> str:
    try:
        payload = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return (await response.text())[:200]
    if isinstance(payload, dict):
        return str(payload.get("message", ""))[:200]
    return ""
