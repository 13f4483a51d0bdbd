"""Scale-out: one sender's messages are processed in the order sent, on one instance.

Rasa open source's RedisLockStore is not safe across replicas (RasaHQ/rasa#9213), so the
scaled layout earns per-sender ordering by routing: HAProxy (``deploy/haproxy.cfg``, the file
``make run-scaled`` uses) hashes the sender id onto one of two Rasa instances, and LINE
deliveries go through the LINE router (``bot.line_router``), which splits them per user.

Everything here is real: two Rasa instances with ``endpoints.production.yml`` against the
machine's PostgreSQL (a fresh schema), Redis (locks, LINE redeliveries) and RabbitMQ (a fresh
queue and exchange, deleted afterwards), the action server, and Debian's HAProxy on free ports.
Which instance served what is read from HAProxy's own counters (its stats socket). The layout
is started by ``tests.e2e.scaled`` (shared with tests/faults/test_instance_killed.py).

What makes it fail (both seen): HAProxy with `balance roundrobin` instead of the sender hash
stores the first burst out of order; without ``bot/channels/line_order.py`` a resident's second
LINE delivery overtakes the first (LINE1, LINE4, LINE2, LINE5, LINE3).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.line.signature import compute_signature
from bot.line_router.app import create_app as create_line_router
from tests.channels.line_testkit import SECRET, make_event
from tests.e2e.scaled import INSTANCES, scaled_layout
from tests.e2e.scaled import served as _served

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROUNDS = 4
BURST = 6  # messages of one sender in flight at once
GAP_SECONDS = 0.02  # between sends: a fast typist, far faster than any resident
SPREAD_SENDERS = 16


async def _say(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> None:
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        assert response.status == 200, await response.text()
        await response.read()


async def _burst(session: aiohttp.ClientSession, url: str, sender: str, texts: list[str]) -> None:
    """Send every text without waiting for answers, ``GAP_SECONDS`` apart: all in flight."""
    tasks = []
    for text in texts:
        tasks.append(asyncio.create_task(_say(session, url, sender, text)))
        await asyncio.sleep(GAP_SECONDS)
    await asyncio.gather(*tasks)


async def _user_texts(
    session: aiohttp.ClientSession, internal: str, token: str, sender: str
) -> list[str]:
    async with session.get(
        f"{internal}/conversations/{sender}/tracker", params={"token": token}
    ) as response:
        assert response.status == 200
        tracker = await response.json()
    return [e.get("text") for e in tracker["events"] if e.get("event") == "user"]


async def _wait_for_texts(
    session: aiohttp.ClientSession, internal: str, token: str, sender: str, count: int
) -> list[str]:
    deadline = time.monotonic() + 90
    while True:
        texts = await _user_texts(session, internal, token, sender)
        if len(texts) >= count or time.monotonic() > deadline:
            return texts
        await asyncio.sleep(0.5)


async def test_one_senders_messages_stay_in_order_on_one_instance(tmp_path: Path) -> None:
    """A burst of one sender's messages, all in flight at once through HAProxy, is processed in
    the order sent, every round, by one instance; different senders use both instances; and a
    LINE delivery of several users, split by the router, keeps each user's order too."""
    async with scaled_layout(tmp_path) as layout, AsyncExitStack() as stack:
        stats, public, internal = layout.stats, layout.public, layout.internal
        router = TestServer(
            create_line_router(SECRET, internal), host="127.0.0.1", port=layout.router_port
        )
        await router.start_server()
        stack.push_async_callback(router.close)
        token = layout.token
        rest = f"{internal}/webhooks/rest/webhook"
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            # 1. Bursts of one sender, several rounds: order kept, one instance each time.
            for round_number in range(ROUNDS):
                sender = f"burst-{round_number}-{uuid.uuid4().hex[:8]}"
                texts = [f"{round_number}回目の{i}番目のメッセージ" for i in range(BURST)]
                before = _served(stats)
                await _burst(session, rest, sender, texts)
                stored = await _user_texts(session, internal, token, sender)
                assert stored == texts, stored
                served = {name: _served(stats)[name] - before[name] for name in INSTANCES}
                assert sorted(served.values()) == [0, BURST + 1], served  # + the tracker read

            # Rasa is not published: its REST channel believes any sender it is given.
            before = _served(stats)
            async with session.post(
                f"{public}/webhooks/rest/webhook", json={"sender": "x", "message": "y"}
            ) as response:
                assert response.status != 200
            assert _served(stats) == before

            # 2. Different senders spread over both instances.
            before = _served(stats)
            senders = [f"spread-{i}-{uuid.uuid4().hex[:8]}" for i in range(SPREAD_SENDERS)]
            await asyncio.gather(*(_say(session, rest, s, "こんにちは") for s in senders))
            served = {name: _served(stats)[name] - before[name] for name in INSTANCES}
            assert all(count > 0 for count in served.values()), served

            # 3. LINE: two deliveries, each with two users' events interleaved, posted back to
            # back (the second arrives while the first is still being answered).
            users = [f"U{uuid.uuid4().hex}", f"U{uuid.uuid4().hex}"]
            first = [(u, f"LINE{n}") for n in (1, 2, 3) for u in users]
            second = [(u, f"LINE{n}") for n in (4, 5) for u in users]
            for delivery in (first, second):
                events = [
                    make_event(
                        text=text,
                        source={"type": "user", "userId": user},
                        reply_token=f"rt-{uuid.uuid4().hex}",
                    )
                    for user, text in delivery
                ]
                payload = {"destination": "Ubot", "events": events}
                body = json.dumps(payload, ensure_ascii=False).encode()
                async with session.post(
                    f"{public}/webhooks/line/webhook",
                    data=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-Line-Signature": compute_signature(SECRET, body),
                    },
                ) as response:
                    assert response.status == 200, await response.text()
            for user in users:
                texts = await _wait_for_texts(session, internal, token, user, 5)
                assert texts == [f"LINE{n}" for n in range(1, 6)], texts
