"""Each webhookEventId is claimed once, in process and through Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from bot.channels.line_dedup import ClaimStore, InMemoryClaimStore, RedisClaimStore
from tests.services import require_redis

REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_in_memory_claims_once_within_ttl_and_again_after() -> None:
    now = [1000.0]
    store = InMemoryClaimStore(clock=lambda: now[0])

    assert await store.claim("event:a", 60)
    assert not await store.claim("event:a", 60)
    now[0] += 61
    assert await store.claim("event:a", 60)


async def test_in_memory_store_is_bounded() -> None:
    store = InMemoryClaimStore(max_keys=100)
    for n in range(1000):
        assert await store.claim(f"event:{n}", 3600)
    assert len(store) == 100
    assert not await store.claim("event:999", 3600)  # recent ones are still remembered


@pytest.fixture
async def redis_store() -> AsyncIterator[RedisClaimStore]:
    import redis.asyncio as redis_asyncio

    require_redis(REDIS_URL)  # a missing Redis fails these tests, as PostgreSQL does
    client = redis_asyncio.from_url(REDIS_URL)
    prefix = f"test:line:{uuid.uuid4().hex}:"
    yield RedisClaimStore(client, prefix=prefix)
    keys = [key async for key in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.close()


async def test_redis_claims_once_across_store_instances(redis_store: RedisClaimStore) -> None:
    # A second store object on its own connection stands in for another bot instance.
    other = RedisClaimStore.from_url(REDIS_URL, prefix=redis_store._prefix)
    try:
        assert isinstance(other, ClaimStore)
        assert await redis_store.claim("event:x", 60)
        assert not await other.claim("event:x", 60)
        assert await other.claim("event:y", 60)
    finally:
        await other.close()


async def test_redis_claim_expires(redis_store: RedisClaimStore) -> None:
    import asyncio

    assert await redis_store.claim("event:short", 1)
    await asyncio.sleep(1.2)
    assert await redis_store.claim("event:short", 1)
