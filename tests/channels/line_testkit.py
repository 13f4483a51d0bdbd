"""Test helpers for the LINE channel: a fake LINE API, a signed-webhook client, a stub bot.

``fake_line`` is a pytest fixture (a running ``FakeLineApi``) for any test module that imports
it; ``serve_harness(channel, fake_line)`` serves a ``LineInput`` with a ``StubBot`` and stops it
afterwards. Meant to be reused by end-to-end tests with the real Rasa agent too: build a
``LineInput`` that points at ``FakeLineApi.base_url``, mount it with
``serve_channel(channel, agent.handle_message)`` and post events with
``LineWebhookClient.post_events``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.channels.line import LineInput
from bot.line.signature import compute_signature

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
    status: int = 200
    retry_key: str | None = None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))


# LINE's answers, as documented and as seen from the real API (only ``message`` is read).
INVALID_REPLY_TOKEN = {"message": "Invalid reply token"}
AUTH_FAILED = {
    "message": "Authentication failed. Confirm that the access token in the authorization "
    "header is valid."
}
TOO_MANY_MESSAGES = {
    "message": "The request body has 1 error(s)",
    "details": [{"message": "Size must be between 0 and 5", "property": "messages"}],
}
RATE_LIMITED = {"message": "The API rate limit has been exceeded. Try again later."}
SERVER_ERROR = {"message": "An error occurred in the API server"}
RETRY_KEY_ACCEPTED = {"message": "The retry key is already accepted"}


@dataclass
class Failure:
    """One scripted error answer (``fail_next``): status, optional Retry-After header."""

    status: int
    retry_after: str | None = None
    kind: str | None = None  # only for "reply" or "push" calls; None: any


@dataclass
class FakeLineApi:
    """A local stand-in for the Messaging API that answers like LINE where it matters.

    - 401 when the ``Authorization`` header is not ``Bearer <access_token>``;
    - 400 for more than 5 messages in one call;
    - 400 "Invalid reply token" for a reply token used before, listed in ``expired_tokens``,
      or for every token when ``reject_reply_tokens`` is set (all expired);
    - scripted 429 / 5xx answers (``fail_next``), consumed one per call;
    - ``X-Line-Retry-Key`` on push: a key already accepted answers 409, like LINE, and the
      message is not delivered twice;
    - ``delay_seconds``: every answer comes that much later (LINE slow or hanging).
    """

    access_token: str = TOKEN
    reject_reply_tokens: bool = False
    expired_tokens: set[str] = field(default_factory=set)
    calls: list[RecordedCall] = field(default_factory=list)
    fail_next: list[Failure] = field(default_factory=list)
    used_tokens: set[str] = field(default_factory=set)
    accepted_retry_keys: set[str] = field(default_factory=set)
    delay_seconds: float = 0.0
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

    def fail(
        self,
        status: int,
        times: int = 1,
        *,
        retry_after: str | None = None,
        kind: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls (of ``kind``) with ``status``."""
        self.fail_next.extend(Failure(status, retry_after, kind) for _ in range(times))

    def _scripted_failure(self, kind: str) -> web.Response | None:
        for index, failure in enumerate(self.fail_next):
            if failure.kind in (None, kind):
                del self.fail_next[index]
                body = RATE_LIMITED if failure.status == 429 else SERVER_ERROR
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                return web.json_response(body, status=failure.status, headers=headers)
        return None

    async def _answer(self, kind: str, request: web.Request) -> web.Response:
        body = await request.json()
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        authorization = request.headers.get("Authorization")
        retry_key = request.headers.get("X-Line-Retry-Key")

        def record(status: int) -> None:
            call = RecordedCall(kind, body, authorization, status == 200, status, retry_key)
            self.calls.append(call)

        if authorization != f"Bearer {self.access_token}":
            record(401)
            return web.json_response(AUTH_FAILED, status=401)
        failure = self._scripted_failure(kind)
        if failure is not None:
            record(failure.status)
            return failure
        if len(body.get("messages", [])) > 5:
            record(400)
            return web.json_response(TOO_MANY_MESSAGES, status=400)
        if kind == "reply":
            token = str(body.get("replyToken"))
            if (
                self.reject_reply_tokens
                or token in self.expired_tokens
                or token in self.used_tokens
            ):
                record(400)
                return web.json_response(INVALID_REPLY_TOKEN, status=400)
            self.used_tokens.add(token)
        if retry_key is not None:
            if retry_key in self.accepted_retry_keys:
                record(409)
                return web.json_response(
                    RETRY_KEY_ACCEPTED,
                    status=409,
                    headers={"x-line-accepted-request-id": "accepted-" + retry_key[:8]},
                )
            self.accepted_retry_keys.add(retry_key)
        record(200)
        return web.json_response({"sentMessages": []})

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._answer("reply", request)

    async def _push(self, request: web.Request) -> web.Response:
        return await self._answer("push", request)


@asynccontextmanager
async def running_fake_line() -> AsyncIterator[FakeLineApi]:
    """A ``FakeLineApi`` listening on a random loopback port, closed afterwards."""
    api = FakeLineApi()
    await api.start()
    try:
        yield api
    finally:
        await api.close()


@pytest.fixture
async def fake_line() -> AsyncIterator[FakeLineApi]:
    """The fake LINE API as a fixture: import it into a conftest or test module to use it."""
    async with running_fake_line() as api:
        yield api


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
    stopped: bool = False

    async def stop(self) -> None:
        """Stop like Sanic does (``before_server_stop`` listeners first); a second call,
        e.g. by ``serve_harness`` after a test stopped the app itself, does nothing."""
        if self.stopped:
            return
        self.stopped = True
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


@asynccontextmanager
async def serve_harness(
    channel: LineInput, fake_line: FakeLineApi, bot: StubBot | None = None
) -> AsyncIterator[LineHarness]:
    """Serve ``channel`` with a ``StubBot`` (or ``bot``) and stop it afterwards (once)."""
    bot = bot if bot is not None else StubBot()
    app = await serve_channel(channel, bot)
    try:
        yield LineHarness(channel, bot, LineWebhookClient(app.base_url), fake_line, app)
    finally:
        await app.stop()
