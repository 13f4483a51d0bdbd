"""The lock store keeps conversations going when Redis dies, and uses Redis again when it is back.

Against a real ``redis-server`` of the test's own (killed with SIGKILL, started again on the
same port), never the machine's Redis. Two store objects on one Redis stand for two Rasa
instances: while Redis answers, one conversation's turn on one holds the other back.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.locks.store import DegradingRedisLockStore
from tests.locks.redis_server import OwnRedis, own_redis

CONVERSATION = "U-resident-secret-0001"
WAIT = 0.05  # seconds between tries for a busy lock (Rasa's default is 1 s)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[OwnRedis]:
    with own_redis(tmp_path) as server:
        yield server


def _store(
    server: OwnRedis, retry_seconds: float = 0.2, **options: float
) -> DegradingRedisLockStore:
    """Built the way Rasa builds it from the endpoints file's ``lock_store`` section."""
    store = LockStore.create(
        EndpointConfig(
            type="bot.locks.store.DegradingRedisLockStore",
            url="127.0.0.1",
            port=server.port,
            db=1,
            password="",
            key_prefix="welfareintake",
            retry_seconds=retry_seconds,
            **options,
        )
    )
    assert isinstance(store, DegradingRedisLockStore)
    return store


async def _turn(store: LockStore, log: list[str], name: str, seconds: float = 0.2) -> None:
    async with store.lock(CONVERSATION, wait_time_in_seconds=WAIT):
        log.append(f"{name} start")
        await asyncio.sleep(seconds)
        log.append(f"{name} end")


async def _serialised(first: LockStore, second: LockStore) -> bool:
    """Whether a turn on ``second`` waits for one already running on ``first``."""
    log: list[str] = []
    one = asyncio.create_task(_turn(first, log, "a"))
    await asyncio.sleep(0.05)
    await asyncio.gather(one, _turn(second, log, "b"))
    return log == ["a start", "a end", "b start", "b end"]


async def test_while_redis_answers_the_lock_is_shared_through_redis(
    redis_server: OwnRedis,
) -> None:
    """Two instances on one Redis: a conversation's turn on one waits for the other's, and
    the lock lives under the configured prefix (so the endpoints file's keys are understood)."""
    one, two = _store(redis_server), _store(redis_server)
    assert await _serialised(one, two)
    async with one.lock(CONVERSATION):
        assert one.red.exists(f"welfareintake:lock:{CONVERSATION}")
    assert not one.red.exists(f"welfareintake:lock:{CONVERSATION}")
    assert not one.degraded


async def test_rasas_own_redis_lock_store_fails_the_turn_when_redis_is_down(
    redis_server: OwnRedis,
) -> None:
    """The fault this package exists for, as Rasa 3.6 behaves: no lock, no turn."""
    plain = RedisLockStore(host="127.0.0.1", port=redis_server.port, socket_timeout=1)
    redis_server.kill()
    with pytest.raises(LockError):
        async with plain.lock(CONVERSATION):
            pass


async def test_with_redis_down_turns_go_on_one_at_a_time_logged_once(
    redis_server: OwnRedis, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis killed: every turn still runs, one conversation's turns still one after the other
    in this process, and the outage is one warning naming neither the conversation nor the
    server."""
    store = _store(redis_server, retry_seconds=0.0)  # retry Redis on every turn: worst case
    redis_server.kill()
    caplog.set_level(logging.WARNING, logger="bot.locks")
    for _ in range(3):
        async with store.lock(CONVERSATION):
            pass
    assert await _serialised(store, store)
    assert store.degraded
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("bot.locks")]
    assert len(warnings) == 1, warnings
    assert "unavailable" in warnings[0] and "ConnectionError" in warnings[0]
    assert CONVERSATION not in warnings[0] and str(redis_server.port) not in warnings[0]


async def test_when_redis_is_back_locks_are_shared_again(
    redis_server: OwnRedis, caplog: pytest.LogCaptureFixture
) -> None:
    """After Redis restarts the next turn (after ``retry_seconds``) uses it again: the two
    instances serialise again, and the recovery is logged once."""
    one, two = _store(redis_server), _store(redis_server)
    redis_server.kill()
    async with one.lock(CONVERSATION):
        pass
    async with two.lock(CONVERSATION):
        pass
    assert one.degraded and two.degraded
    assert not await _serialised(one, two), "each instance alone while Redis is down"
    redis_server.start()
    caplog.set_level(logging.WARNING, logger="bot.locks")
    await asyncio.sleep(0.3)  # past retry_seconds
    assert await _serialised(one, two)
    assert not one.degraded and not two.degraded
    recovered = [r.getMessage() for r in caplog.records if "reachable again" in r.getMessage()]
    assert len(recovered) == 2, recovered  # one line per instance


async def test_a_dead_redis_is_not_retried_on_every_turn(redis_server: OwnRedis) -> None:
    """Within ``retry_seconds`` of an outage turns do not touch Redis at all (a blackholed
    Redis would otherwise cost a socket timeout per turn, on the event loop)."""
    store = _store(redis_server, retry_seconds=60)
    redis_server.kill()
    async with store.lock(CONVERSATION):
        pass
    redis_server.start()
    async with store.lock(CONVERSATION):
        assert not store.red.exists(f"welfareintake:lock:{CONVERSATION}")
    assert store.degraded


async def test_a_turn_whose_redis_dies_midway_still_finishes(redis_server: OwnRedis) -> None:
    """Redis dying while a turn holds its lock: the turn ends normally (the cleanup's failure
    is the outage, not the resident's problem), and the next turn runs."""
    store = _store(redis_server)
    async with store.lock(CONVERSATION):
        redis_server.kill()
    assert store.degraded
    async with store.lock(CONVERSATION):
        pass


async def test_a_lock_left_by_a_dead_instance_holds_the_conversation_only_its_lifetime(
    redis_server: OwnRedis,
) -> None:
    """An instance killed mid-turn leaves its ticket in Redis, and HAProxy retries the
    resident's message on the other instance at once: that message runs once the dead
    ticket's lifetime is over (not after Rasa's 60 s, longer than HAProxy waits), even though
    its own ticket was issued the same moment with the same lifetime (renewed while it
    waits, so it does not run out first)."""
    dead = _store(redis_server, lock_lifetime_seconds=1.5)
    dead.issue_ticket(CONVERSATION, dead.lock_lifetime)  # took the lock, then was killed
    other = _store(redis_server, lock_lifetime_seconds=1.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.wait_for(_turn(other, [], "retried", seconds=0), timeout=10)
    assert 1.0 < loop.time() - started < 3.0


async def test_a_live_turn_longer_than_the_lifetime_keeps_the_conversation_locked(
    redis_server: OwnRedis,
) -> None:
    """The lifetime bounds only a dead instance's ticket: a live turn renews its own, so a
    turn three lifetimes long still holds the same resident's next message (on the other
    instance) back until it ends."""
    one = _store(redis_server, lock_lifetime_seconds=0.6)
    two = _store(redis_server, lock_lifetime_seconds=0.6)
    log: list[str] = []
    first = asyncio.create_task(_turn(one, log, "a", seconds=1.8))
    await asyncio.sleep(0.05)
    await asyncio.gather(first, _turn(two, log, "b", seconds=0))
    assert log == ["a start", "a end", "b start", "b end"]


async def test_a_message_behind_a_stuck_turn_gives_up_after_the_longest_wait(
    redis_server: OwnRedis,
) -> None:
    """A turn that never ends on a live instance (a hung call) keeps renewing its lock; the
    same resident's next message waits at most ``max_wait_seconds`` and ends with Rasa's
    LockError rather than hanging (HAProxy would have given up on it by then anyway)."""
    stuck = _store(redis_server, lock_lifetime_seconds=0.6)
    waiting = _store(redis_server, lock_lifetime_seconds=0.6, max_wait_seconds=1.5)
    hung = asyncio.create_task(_turn(stuck, [], "hung", seconds=30))
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(LockError):
        await asyncio.wait_for(_turn(waiting, [], "next", seconds=0), timeout=10)
    assert 1.4 < loop.time() - started < 3.0
    hung.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hung


async def test_rasas_own_wait_hangs_when_its_ticket_expires_first(redis_server: OwnRedis) -> None:
    """Why the wait above is this project's: Rasa's RedisLockStore, in the same situation,
    is still waiting after three lifetimes."""
    rasa_store = RedisLockStore(host="127.0.0.1", port=redis_server.port, db=1)
    rasa_store.issue_ticket(CONVERSATION, 1.0)

    async def turn() -> None:
        async with rasa_store.lock(CONVERSATION, lock_lifetime=1.0, wait_time_in_seconds=WAIT):
            pass

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(turn(), timeout=3)


def test_without_a_configured_lifetime_a_lock_lives_ten_seconds_not_rasas_sixty(
    redis_server: OwnRedis,
) -> None:
    """The production endpoints file may leave the key out: a dead instance's ticket then
    holds a conversation at most 10 s."""
    assert _store(redis_server).lock_lifetime == 10.0


def test_two_instances_issuing_tickets_at_once_lose_none(redis_server: OwnRedis) -> None:
    """RasaHQ/rasa#9213: Rasa's store issues a ticket by reading the lock and writing it back,
    so two instances issuing at the same moment overwrite each other's tickets. Here two
    instances (threads, each with its own store) issue 300 tickets each for one conversation
    at once: all 600 are in the lock, with distinct numbers."""
    stores = [_store(redis_server), _store(redis_server)]

    def issue(store: DegradingRedisLockStore) -> list[int]:
        return [store.issue_ticket(CONVERSATION, 60) for _ in range(300)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        issued = [n for numbers in pool.map(issue, stores) for n in numbers]
    lock = stores[0].get_lock(CONVERSATION)
    assert lock is not None
    assert sorted(ticket.number for ticket in lock.tickets) == sorted(issued)
    assert len(set(issued)) == 600


def test_two_instances_never_run_one_residents_turns_at_once(redis_server: OwnRedis) -> None:
    """What the lost tickets above would cost a resident: two instances (threads, each its
    own event loop and store) taking turns of the same conversation back to back, 150 each,
    never have two turns inside the lock at the same moment."""
    inside: list[int] = []
    overlaps: list[int] = []
    guard = threading.Lock()

    async def turns(store: DegradingRedisLockStore) -> None:
        for _ in range(150):
            async with store.lock(CONVERSATION, wait_time_in_seconds=0.002):
                with guard:
                    inside.append(1)
                    if len(inside) > 1:
                        overlaps.append(len(inside))
                await asyncio.sleep(0.001)
                with guard:
                    inside.pop()

    def instance(store: DegradingRedisLockStore) -> None:
        asyncio.run(turns(store))

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(instance, [_store(redis_server), _store(redis_server)]))
    assert overlaps == []


@pytest.mark.parametrize(
    "stored",
    ["not json", '{"conversation_id": "x"}', '{"tickets": ["{\\"number\\": 0}"]}', "[1, 2]"],
)
async def test_a_damaged_lock_is_replaced_not_taken_for_an_outage(
    redis_server: OwnRedis, stored: str
) -> None:
    """A lock key holding something that is not a lock (written by hand, a partial write of
    another version) must not switch every conversation to in-process locks as if Redis were
    down: the turn runs under the Redis lock and the key is cleaned up."""
    store = _store(redis_server)
    key = f"welfareintake:lock:{CONVERSATION}"
    store.red.set(key, stored)
    async with store.lock(CONVERSATION, wait_time_in_seconds=WAIT):
        assert not store.degraded
        held = store.get_lock(CONVERSATION)
        assert held is not None and [t.number for t in held.tickets] == [0]
    assert not store.degraded
    assert not store.red.exists(key)
