"""The LINE router over HTTP: what LINE is answered, and what reaches the Rasa instances.

The upstream here is a real aiohttp server standing in for HAProxy + Rasa: it checks each
part's signature the way ``bot.channels.line.LineInput`` does and records what it got.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.line.signature import compute_signature, verify_signature
from bot.line_router.app import WEBHOOK_PATH, create_app
from bot.line_router.split import ROUTING_HEADER

SECRET = "router-test-secret-0123456789abcd"
ALICE = "U" + "a" * 32
BOB = "U" + "b" * 32


def _text(user: str, text: str, event_id: str) -> dict[str, Any]:
    return {
        "type": "message",
        "webhookEventId": event_id,
        "source": {"type": "user", "userId": user},
        "message": {"type": "text", "id": event_id, "text": text},
    }


class Upstream:
    """Records the parts it receives; answers ``status`` (or 401 to a bad signature)."""

    def __init__(self) -> None:
        self.received: list[tuple[str | None, list[dict[str, Any]]]] = []
        self.status = 200

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not verify_signature(SECRET, body, request.headers.get("X-Line-Signature")):
            return web.Response(status=401)
        self.received.append((request.headers.get(ROUTING_HEADER), json.loads(body)["events"]))
        return web.Response(status=self.status, text="OK")


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[Upstream, str]]:
    recorder = Upstream()
    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, recorder.handle)
    server = TestServer(app)
    await server.start_server()
    yield recorder, str(server.make_url("/"))
    await server.close()


async def _post(client: TestClient, payload: Any, secret: str = SECRET) -> tuple[int, str]:
    body = json.dumps(payload).encode()
    response = await client.post(
        WEBHOOK_PATH, data=body, headers={"X-Line-Signature": compute_signature(secret, body)}
    )
    return response.status, await response.text()


async def test_a_delivery_reaches_the_instances_as_one_signed_part_per_user(
    aiohttp_client: Any, upstream: tuple[Upstream, str]
) -> None:
    """Two users in one delivery: each user's events arrive together, in order, with a
    routing key HAProxy can hash; LINE gets 200."""
    recorder, url = upstream
    client = await aiohttp_client(create_app(SECRET, url))
    events = [_text(ALICE, "1", "e1"), _text(BOB, "b", "e2"), _text(ALICE, "2", "e3")]
    assert await _post(client, {"destination": "Ubot", "events": events}) == (200, "OK")
    by_key = {key: [e["webhookEventId"] for e in evs] for key, evs in recorder.received}
    assert sorted(by_key.values()) == [["e1", "e3"], ["e2"]]
    assert all(key and key.startswith("line-") for key in by_key)


async def test_a_part_not_accepted_makes_line_redeliver(
    aiohttp_client: Any, upstream: tuple[Upstream, str]
) -> None:
    """If an instance could not take a part (503 while shutting down, or none is up), LINE
    must get a 5xx so that it redelivers; a 200 would lose the resident's message."""
    recorder, url = upstream
    recorder.status = 503
    client = await aiohttp_client(create_app(SECRET, url))
    status, _ = await _post(client, {"events": [_text(ALICE, "1", "e1")]})
    assert status == 503


async def test_no_instance_reachable_is_a_503(aiohttp_client: Any) -> None:
    """Nothing listens upstream: 503, never a crash or a 200."""
    client = await aiohttp_client(create_app(SECRET, "http://127.0.0.1:9"))
    status, _ = await _post(client, {"events": [_text(ALICE, "1", "e1")]})
    assert status == 503


@pytest.mark.parametrize(
    ("secret", "body", "signed_with", "expected"),
    [
        (SECRET, {"events": []}, SECRET, 200),  # LINE's "Verify": nothing forwarded
        (SECRET, {"events": [1]}, "wrong-secret-0123456789abcdefghij", 401),
        (SECRET, {"events": "x"}, SECRET, 400),
        (SECRET, ["not", "an", "object"], SECRET, 400),
        ("", {"events": []}, SECRET, 503),  # not configured: refuse everything
    ],
)
async def test_refusals_match_the_channel(
    aiohttp_client: Any,
    upstream: tuple[Upstream, str],
    secret: str,
    body: Any,
    signed_with: str,
    expected: int,
) -> None:
    """The router answers LINE as the Rasa channel would, before forwarding anything."""
    recorder, url = upstream
    client = await aiohttp_client(create_app(secret, url))
    status, _ = await _post(client, body, signed_with)
    assert status == expected
    assert recorder.received == []


async def test_invalid_json_and_oversized_bodies_are_refused(
    aiohttp_client: Any, upstream: tuple[Upstream, str]
) -> None:
    """Unreadable or over-1-MB bodies get a 4xx and nothing is forwarded."""
    recorder, url = upstream
    client = await aiohttp_client(create_app(SECRET, url))
    raw = b"{not json"
    response = await client.post(
        WEBHOOK_PATH, data=raw, headers={"X-Line-Signature": compute_signature(SECRET, raw)}
    )
    assert response.status == 400
    big = b" " * 1_000_001
    response = await client.post(
        WEBHOOK_PATH, data=big, headers={"X-Line-Signature": compute_signature(SECRET, big)}
    )
    assert response.status == 413
    assert recorder.received == []
