"""Test helpers for the LINE channel: a fake LINE API, a signed-webhook client, a stub bot.

Meant to be reused by end-to-end tests with the real Rasa agent: build a ``LineInput`` that
points at ``FakeLineApi.base_url``, mount it with ``serve_channel(channel, agent.handle_message)``
and post events with ``LineWebhookClient.post_events``.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.channels.line import LineInput
from bot.channels.line_signature import compute_signature

SECRET = "test-channel-secret-0123456789ab"
TOKEN = "test-access-token"
USER_ID = "U0123456789abcdef0123456789abcdef"


@dataclass
class RecordedCall:
    """One request the channel made to the (fake) LINE API."""

    kind: str  # "reply" or "push"
    body: dict[str, Any]
    authorization: str | None
    accepted: bool

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))


@dataclass
class FakeLineApi:
    """Records reply/push calls; can reject reply tokens like LINE does when they expire."""

    reject_reply_tokens: bool = False
    calls: list[RecordedCall] = field(default_factory=list)
    _server: TestServer | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v2/bot/message/reply", self._reply)
        app.router.add_post("/v2/bot/message/push", self._push)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    @property
    def accepted(self) -> list[RecordedCall]:
        return [call for call in self.calls if call.accepted]

    def sent_texts(self) -> list[str]:
        """Texts of all delivered messages, in order."""
        return [m.get("text", "") for call in self.accepted for m in call.messages]

    async def _reply(self, request: web.Request) -> web.Response:
        body = await request.json()
        accepted = not self.reject_reply_tokens and len(body.get("messages", [])) <= 5
        self.calls.append(
            RecordedCall("reply", body, request.headers.get("Authorization"), accepted)
        )
        if self.reject_reply_tokens:
            return web.json_response({"message": "Invalid reply token"}, status=400)
        return web.json_response({"sentMessages": []})

    async def _push(self, request: web.Request) -> web.Response:
        body = await request.json()
        accepted = len(body.get("messages", [])) <= 5
        self.calls.append(
            RecordedCall("push", body, request.headers.get("Authorization"), accepted)
        )
        return web.json_response({"sentMessages": []})


def make_event(
    event_type: str = "message",
    *,
    text: str | None = None,
    message: dict[str, Any] | None = None,
    source: dict[str, Any] | None = None,
    event_id: str | None = None,
    redelivery: bool = False,
    timestamp_ms: int | None = None,
    reply_token: str | None = "reply-token-1",
    **extra: Any,
) -> dict[str, Any]:
    """A webhook event shaped like LINE's (only the fields the channel reads, plus a few)."""
    event: dict[str, Any] = {
        "type": event_type,
        "mode": "active",
        "timestamp": timestamp_ms if timestamp_ms is not None else int(time.time() * 1000),
        "source": source or {"type": "user", "userId": USER_ID},
        "webhookEventId": event_id or "01H" + uuid.uuid4().hex.upper()[:23],
        "deliveryContext": {"isRedelivery": redelivery},
    }
    if reply_token is not None:
        event["replyToken"] = reply_token
    if text is not None:
        message = {"id": "1", "type": "text", "text": text}
    if message is not None:
        event["message"] = message
    event.update(extra)
    return event


def webhook_body(*events: dict[str, Any]) -> bytes:
    payload = {"destination": "Uffffffffffffffffffffffffffffffff", "events": list(events)}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


@dataclass
class LineWebhookClient:
    """Posts (signed) webhook requests to a running Sanic app."""

    base_url: str
    secret: str = SECRET

    async def post(self, body: bytes, signature: str | None = "sign") -> tuple[int, str]:
        """POST ``body``; ``signature="sign"`` signs it correctly, None sends no header."""
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            signature = compute_signature(self.secret, body)
        if signature is not None:
            headers["X-Line-Signature"] = signature
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{self.base_url}/webhooks/line/webhook", data=body, headers=headers
            ) as response,
        ):
            return response.status, await response.text()

    async def post_events(self, *events: dict[str, Any]) -> tuple[int, str]:
        return await self.post(webhook_body(*events))


@dataclass
class RunningApp:
    base_url: str
    server: Any

    async def stop(self) -> None:
        await self.server.before_stop()
        await self.server.close()
        await self.server.after_stop()


async def serve_channel(
    channel: LineInput, on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> RunningApp:
    """Mount the channel the way ``rasa run`` does and serve it on a random loopback port."""
    Sanic.test_mode = True  # allows one Sanic app per test in one process
    app = Sanic(f"line_test_{uuid.uuid4().hex}")
    app.ctx.agent = SimpleNamespace(handle_message=on_new_message)
    register([channel], app, route="/webhooks/")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.start_serving()
    return RunningApp(f"http://127.0.0.1:{port}", server)


BotReply = list[dict[str, Any]]


@dataclass
class StubBot:
    """Stands in for Rasa: records user messages and emits canned responses per text."""

    responses: Callable[[str], BotReply] = lambda text: [{"text": "はい、お聞きします。"}]
    received: list[UserMessage] = field(default_factory=list)
    delay_seconds: float = 0.0
    fail: bool = False

    async def __call__(self, message: UserMessage) -> None:
        import asyncio

        self.received.append(message)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.fail:
            raise RuntimeError("bot crashed")
        for response in self.responses(message.text or ""):
            await message.output_channel.send_response(message.sender_id, response)

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.received]


@dataclass
class LineHarness:
    channel: LineInput
    bot: StubBot
    client: LineWebhookClient
    line: FakeLineApi
    app: RunningApp

    async def settle(self) -> None:
        """Wait for the background event handling the webhook scheduled."""
        await self.channel.drain()
