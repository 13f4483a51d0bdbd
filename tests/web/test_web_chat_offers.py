"""Remembering the buttons each web conversation was offered: in-process and in real Redis."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from bot.web.offers import InMemoryOfferStore, RedisOfferStore
from tests.services import fresh_prefix, redis_client


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_latest_reply_replaces_the_offer_and_it_expires() -> None:
    clock = Clock()
    store = InMemoryOfferStore(ttl_seconds=60, clock=clock)
    await store.remember("web-a", [("はい", "/affirm"), ("いいえ", "/deny")])
    await store.remember("web-a", [("いいえ", "/deny")])
    assert await store.offered("web-a") == {"/deny"}
    assert await store.buttons("web-a") == (("いいえ", "/deny"),)
    assert await store.offered("web-b") == frozenset()
    clock.now = 61
    assert await store.offered("web-a") == frozenset()


async def test_in_memory_offers_stay_bounded() -> None:
    store = InMemoryOfferStore(max_senders=10)
    for n in range(100):
        await store.remember(f"web-{n}", [("はい", "/affirm")])
    assert len(store) == 10
    assert await store.offered("web-99") == {"/affirm"}


@pytest.fixture
async def redis_offers() -> AsyncIterator[tuple[RedisOfferStore, RedisOfferStore]]:
    """Two instances sharing the real Redis (unreachable Redis fails the test, never skips);
    their keys are deleted afterwards."""
    prefix = fresh_prefix("offers")
    async with redis_client(prefix) as first, redis_client(prefix) as second:
        yield RedisOfferStore(first, prefix=prefix), RedisOfferStore(second, prefix=prefix)


async def test_offers_are_shared_between_instances_through_redis(
    redis_offers: tuple[RedisOfferStore, RedisOfferStore],
) -> None:
    """The button press may reach another instance than the reply that offered it."""
    first, second = redis_offers
    await first.remember("web-a", [("はい", "/affirm"), ("いいえ", "/deny")])
    assert await second.offered("web-a") == {"/affirm", "/deny"}
    assert await second.buttons("web-a") == (("はい", "/affirm"), ("いいえ", "/deny"))
    await second.remember("web-a", [])
    assert await first.offered("web-a") == frozenset()


async def test_redis_down_keeps_buttons_working_on_this_instance() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = RedisOfferStore.from_url(f"redis://127.0.0.1:{port}/0")
    try:
        await store.remember("web-a", [("はい", "/affirm")])
        assert await store.offered("web-a") == {"/affirm"}
    finally:
        await store.close()
