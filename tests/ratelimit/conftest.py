"""Fixtures for the rate limiter: a real Redis (a missing Redis fails the test, never skips)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from bot.ratelimit import RedisRateLimiter

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis_limiter() -> AsyncIterator[RedisRateLimiter]:
    """A limiter on the real Redis with a prefix of its own, cleaned up afterwards."""
    import redis.asyncio as redis_asyncio

    client = redis_asyncio.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    except Exception as error:
        await client.close()
        pytest.fail(f"Redis at {REDIS_URL} is unreachable: {error}", pytrace=False)
    prefix = f"intake:test:rate:{uuid.uuid4().hex[:8]}:"
    limiter = RedisRateLimiter(client, prefix=prefix)
    yield limiter
    keys = [key async for key in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.close()
