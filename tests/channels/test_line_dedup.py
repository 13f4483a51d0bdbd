"""Each webhookEventId is claimed once, in process and through Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.line_dedup import ClaimStore, InMemoryClaimStore, RedisClaimStore
from tests.services import TEST_REDIS_URL, fresh_prefix, redis_client


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
    """A store on the real Redis (a missing Redis fails the test), its keys deleted after."""
    prefix = fresh_prefix("line")
    async with redis_client(prefix) as client:
        yield RedisClaimStore(client, prefix=prefix)


async def test_redis_claims_once_across_store_instances(redis_store: RedisClaimStore) -> None:
    # A second store object on its own connection stands in for another bot instance.
    other = RedisClaimStore.from_url(TEST_REDIS_URL, prefix=redis_store._prefix)
    try:
        assert isinstance(other, ClaimStore)
        assert await redis_store.claim("event:x", 60)
        assert not await other.claim("event:x", 60)
        assert await other.claim("event:y", 60)
    finally:
        await other.close()


async def test_redis_claim_expires_after_its_ttl(redis_store: RedisClaimStore) -> None:
    """A claim is kept only for its TTL (Redis expires it), so Redis does not fill up; a
    later event with the same id is then handled. The TTL is asserted, not waited out."""
    assert await redis_store.claim("event:short", 90)
    ttl = await redis_store._client.ttl(redis_store._prefix + "event:short")
    assert 85 <= ttl <= 90
    await redis_store._client.delete(redis_store._prefix + "event:short")  # as if expired
    assert await redis_store.claim("event:short", 90)
