"""Counting messages per key: in one process and shared through the real Redis."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from bot.ratelimit import InMemoryRateLimiter, Limit, RedisRateLimiter
from tests.services import TEST_REDIS_URL

THREE_PER_MINUTE = Limit(3, 60)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_in_memory_allows_the_limit_then_refuses_with_one_first_refusal() -> None:
    """A sender gets ``count`` messages through; exactly one refusal earns the slow-down reply."""
    limiter = InMemoryRateLimiter(clock=FakeClock())
    verdicts = [await limiter.hit("sender", THREE_PER_MINUTE) for _ in range(6)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False, False]
    assert [v.first_refusal for v in verdicts] == [False, False, False, True, False, False]
    assert 0 < verdicts[-1].retry_after <= 60


async def test_in_memory_window_passes_and_keys_are_independent() -> None:
    """After the window the sender may write again; another sender was never affected."""
    clock = FakeClock()
    limiter = InMemoryRateLimiter(clock=clock)
    for _ in range(4):
        await limiter.hit("a", THREE_PER_MINUTE)
    assert (await limiter.hit("b", THREE_PER_MINUTE)).allowed
    assert not (await limiter.hit("a", THREE_PER_MINUTE)).allowed
    clock.now += 61
    again = await limiter.hit("a", THREE_PER_MINUTE)
    assert again.allowed and again.count == 1


async def test_in_memory_limiter_stays_bounded_under_a_flood_of_new_keys() -> None:
    """A script inventing a new id per message cannot grow the process's memory without end."""
    limiter = InMemoryRateLimiter(max_keys=100, clock=FakeClock())
    for n in range(1000):
        await limiter.hit(f"sender-{n}", THREE_PER_MINUTE)
    assert len(limiter) == 100


async def test_redis_counts_across_instances(redis_limiter: RedisRateLimiter) -> None:
    """Two bot instances sharing Redis count one sender's messages together."""
    import redis.asyncio as redis_asyncio

    other = RedisRateLimiter(redis_asyncio.from_url(TEST_REDIS_URL), prefix=redis_limiter._prefix)
    try:
        first = [await redis_limiter.hit("sender", THREE_PER_MINUTE) for _ in range(2)]
        second = [await other.hit("sender", THREE_PER_MINUTE) for _ in range(2)]
    finally:
        await other.close()
    assert [v.allowed for v in first + second] == [True, True, True, False]
    assert second[-1].first_refusal
    assert 0 < second[-1].retry_after <= 60


async def test_redis_counter_expires_with_its_window(redis_limiter: RedisRateLimiter) -> None:
    """The pause ends: after the window, the sender is counted from one again."""
    short = Limit(1, 0.3)
    assert (await redis_limiter.hit("sender", short)).allowed
    assert not (await redis_limiter.hit("sender", short)).allowed
    await asyncio.sleep(0.5)
    assert (await redis_limiter.hit("sender", short)).allowed


async def test_redis_concurrent_hits_are_counted_exactly(redis_limiter: RedisRateLimiter) -> None:
    """INCR is atomic: a burst of parallel messages lets exactly ``count`` through."""
    verdicts = await asyncio.gather(*(redis_limiter.hit("burst", Limit(5, 60)) for _ in range(20)))
    assert sum(v.allowed for v in verdicts) == 5
    assert sum(v.first_refusal for v in verdicts) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_redis_down_fails_open_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    """Redis unreachable (a closed port, on purpose): messages still go through, one log line."""
    limiter = RedisRateLimiter.from_url(f"redis://:hunter2@127.0.0.1:{_closed_port()}/0")
    caplog.set_level(logging.WARNING, logger="bot.ratelimit")
    try:
        verdicts = [await limiter.hit("sender", Limit(1, 60)) for _ in range(5)]
    finally:
        await limiter.close()
    assert all(v.allowed for v in verdicts)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "hunter2" not in caplog.text and "127.0.0.1" not in caplog.text
