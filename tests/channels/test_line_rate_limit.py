"""A LINE user who floods the bot gets one polite slow-down reply, then quiet, never a crash.

Per LINE user, so one resident cannot slow the bot down for the others: over the limit,
messages no longer reach the bot; the first refused one is answered with the slow-down words
and how to reach a person now, later ones in the same window are not answered, and crisis
words are always answered with the crisis lines.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from line_testkit import (
    SECRET,
    TOKEN,
    USER_ID,
    FakeLineApi,
    LineHarness,
    make_event,
    serve_harness,
)

from bot.channels.line import LineInput
from bot.dialogue.flood_reply import FloodReplies
from bot.dialogue.flood_texts import SLOW_DOWN
from bot.ratelimit import (
    FloodGuard,
    InMemoryRateLimiter,
    Limit,
    RateLimiter,
    RedisRateLimiter,
)

REDIS_URL = "redis://127.0.0.1:6379/0"
OTHER_USER = "Uffffffffffffffffffffffffffffffe0"
NIGHT = datetime(2024, 5, 1, 2, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


async def redis_limiter() -> RedisRateLimiter:
    """A limiter on the real Redis with its own prefix (an unreachable Redis fails the test)."""
    import redis.asyncio as redis_asyncio

    client = redis_asyncio.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    except Exception as error:
        await client.close()
        pytest.fail(f"Redis at {REDIS_URL} is unreachable: {error}", pytrace=False)
    return RedisRateLimiter(client, prefix=f"intake:test:rate:{uuid.uuid4().hex[:8]}:")


@pytest.fixture(params=["in-process", "redis"])
async def limited(
    request: pytest.FixtureRequest, fake_line: FakeLineApi
) -> AsyncIterator[LineHarness]:
    """The channel with at most 3 messages per user per minute, counted here or in Redis."""
    limiter: RateLimiter = (
        await redis_limiter() if request.param == "redis" else InMemoryRateLimiter()
    )
    channel = LineInput(
        SECRET,
        TOKEN,
        fake_line.base_url,
        flood_guard=FloodGuard(limiter, FloodReplies(now=lambda: NIGHT)),
        rate_limit=Limit(3, 60),
    )
    async with serve_harness(channel, fake_line) as harness:
        yield harness
    await limiter.close()


async def send(harness: LineHarness, text: str, user: str = USER_ID, n: int = 0) -> None:
    event = make_event(
        text=text, source={"type": "user", "userId": user}, reply_token=f"token-{user}-{n}"
    )
    status, _ = await harness.client.post_events(event)
    assert status == 200
    await harness.settle()


def replies_to(harness: LineHarness, user: str) -> list[list[str]]:
    return [
        [m.get("text", "") for m in call.messages]
        for call in harness.line.accepted
        if str(call.body.get("replyToken", "")).startswith(f"token-{user}-")
    ]


async def test_flood_gets_one_slow_down_reply_then_silence(limited: LineHarness) -> None:
    for n in range(6):
        await send(limited, f"メッセージ{n}", n=n)
    assert limited.bot.texts == ["メッセージ0", "メッセージ1", "メッセージ2"]
    replies = replies_to(limited, USER_ID)
    assert len(replies) == 4  # three answers from the bot, one slow-down, then nothing
    slow_down = replies[3]
    assert slow_down[0] == SLOW_DOWN
    assert "119" in slow_down[1] and "110" in slow_down[1]
    assert not any(call.kind == "push" for call in limited.line.calls)


async def test_other_users_are_not_slowed_down(limited: LineHarness) -> None:
    for n in range(5):
        await send(limited, "こんにちは", n=n)
    await send(limited, "家賃が払えません", user=OTHER_USER)
    assert limited.bot.texts[-1] == "家賃が払えません"
    assert replies_to(limited, OTHER_USER) == [["はい、お聞きします。"]]


async def test_crisis_words_during_the_pause_are_answered_with_the_lines(
    limited: LineHarness,
) -> None:
    """Silence is never the answer to 「死にたい」, even in the middle of a flood."""
    for n in range(5):
        await send(limited, "あ", n=n)
    await send(limited, "もう死にたい", n=9)
    crisis = replies_to(limited, USER_ID)[-1]
    assert "119" in "\n".join(crisis) and SLOW_DOWN not in crisis
    assert "もう死にたい" not in limited.bot.texts


async def test_default_channel_allows_a_normal_conversation(harness: LineHarness) -> None:
    """Without configuration the limit (20 a minute) does not touch a resident's pace."""
    for n in range(10):
        await send(harness, f"{n}", n=n)
    assert len(harness.bot.texts) == 10
