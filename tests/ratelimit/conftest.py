"""Fixtures for the rate limiter: a real Redis (a missing Redis fails the test, never skips)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.ratelimit import RedisRateLimiter
from tests.services import fresh_prefix, redis_client


@pytest.fixture
async def redis_limiter() -> AsyncIterator[RedisRateLimiter]:
    """A limiter on the real Redis with a prefix of its own, its keys deleted afterwards."""
    prefix = fresh_prefix("rate")
    async with redis_client(prefix) as client:
        yield RedisRateLimiter(client, prefix=prefix)
