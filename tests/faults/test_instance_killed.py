"""A Rasa instance killed mid-conversation: the resident's next messages are answered by the other.

The scaled layout (``tests.e2e.scaled``: two Rasa instances with ``endpoints.production.yml``
on PostgreSQL, Redis and RabbitMQ, the action server, HAProxy with ``deploy/haproxy.cfg``)
runs for real. A resident talks through HAProxy's internal frontend (where the chat proxy and
the LINE router send them); the instance that owns the sender (by HAProxy's hash) is killed
with SIGKILL between two messages, before HAProxy's health check has noticed.

What it protects: HAProxy retrying a refused connection on the other instance (``retries`` +
``option redispatch``) instead of answering 503 until the health check marks the instance down,
and the conversation living in the shared tracker store (the city and the pending offer were
given to the dead instance, the other one continues from them).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.e2e.scaled import INSTANCES, haproxy_stats, scaled_layout, served

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

FIRST_MESSAGE = "久留米市に住んでいます。借金の督促が毎日来て困っています"
# From the kill to the first answer of the other instance (HAProxy's retry, Rasa's turn).
ANSWER_WITHIN_SECONDS = 10
# From the kill to HAProxy's stats showing the instance DOWN (check inter 1 s, fall 2).
MARKED_DOWN_WITHIN_SECONDS = 6


async def _say(url: str, sender: str, text: str) -> str:
    """One message on a connection of its own, as the web chat's proxy sends it
    (``bot.web.proxy`` opens a session per message)."""
    timeout = aiohttp.ClientTimeout(total=60)
    body = {"sender": sender, "message": text}
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(f"{url}/webhooks/rest/webhook", json=body) as response,
    ):
        assert response.status == 200, (response.status, await response.text())
        answers = await response.json()
    return "\n".join(str(answer.get("text") or "") for answer in answers)


async def _slots(session: aiohttp.ClientSession, url: str, token: str, sender: str) -> Any:
    async with session.get(
        f"{url}/conversations/{sender}/tracker", params={"token": token}
    ) as response:
        assert response.status == 200
        return (await response.json())["slots"]


async def test_the_other_instance_continues_a_conversation_whose_instance_was_killed(
    tmp_path: Path,
) -> None:
    """A resident says where they live and what worries them and is offered a window; their
    instance is killed; their "yes" (sent at once, through HAProxy) is answered by the other
    instance with the intake's first question, within 10 s; the city and the worry are still
    known; the next answers go on there; HAProxy marks the dead instance DOWN within 6 s."""
    sender = f"web-{uuid.uuid4().hex}"
    async with scaled_layout(tmp_path) as layout:
        internal = layout.internal
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            before = served(layout.stats)
            routed = await _say(internal, sender, FIRST_MESSAGE)
            assert "生活自立支援センター" in routed
            owners = [n for n in INSTANCES if served(layout.stats)[n] > before[n]]
            assert len(owners) == 1, owners
            owner = owners[0]
            (survivor,) = (n for n in INSTANCES if n != owner)

            layout.kill(owner)
            killed_at = time.monotonic()
            survivor_before = served(layout.stats)[survivor]
            accepted = await _say(internal, sender, "/affirm")
            answered_after = time.monotonic() - killed_at
            assert "答えたくない" in accepted, accepted  # the offer was still pending
            assert answered_after < ANSWER_WITHIN_SECONDS, answered_after
            assert served(layout.stats)[survivor] > survivor_before

            slots = await _slots(session, internal, layout.token, sender)
            assert slots["city"] == "kurume", slots["city"]
            assert slots["worries"], slots["worries"]
            for answer in ["家族", "65歳以上"]:
                assert await _say(internal, sender, answer), answer

            while haproxy_stats(layout.stats)[owner]["status"] != "DOWN":
                assert time.monotonic() - killed_at < MARKED_DOWN_WITHIN_SECONDS
                time.sleep(0.2)
