"""When Redis (the shared redelivery check) fails, residents are still answered, quickly.

Fail open: a rare duplicate answer after a redelivery beats silence to a resident in crisis.
These tests use a real Redis client pointed at a closed port, at an endpoint that accepts
connections and never answers, and at a proxy to the real Redis that can be switched off.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import pytest
from line_testkit import (
    SECRET,
    TOKEN,
    USER_ID,
    FakeLineApi,
    make_event,
    serve_harness,
)

from bot.channels.line import LineInput
from bot.channels.line_dedup import RedisClaimStore
from tests.services import TEST_REDIS_URL, fresh_prefix, redis_client, require_redis

_REDIS = urlsplit(TEST_REDIS_URL)
REDIS_HOST, REDIS_PORT = _REDIS.hostname or "127.0.0.1", _REDIS.port or 6379
# Timeouts are 0.5 s; a claim against a dead Redis must be over well within LINE's patience.
BOUND_SECONDS = 2.5


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:  # free a moment ago, nothing listens: connection refused
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def hung_port() -> Iterator[int]:
    """Accepts TCP connections (the kernel's backlog) and never sends a byte back."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


class SwitchableProxy:
    """A TCP proxy to the real Redis; ``down()`` drops every connection and refuses new ones."""

    def __init__(self) -> None:
        self.up = True
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        upstream_reader, upstream_writer = await asyncio.open_connection(REDIS_HOST, REDIS_PORT)
        self._writers |= {writer, upstream_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    def down(self) -> None:
        self.up = False
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    async def close(self) -> None:
        self.down()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


def _prefix() -> str:
    return fresh_prefix("line-failure")


async def _timed_claim(store: RedisClaimStore, key: str) -> tuple[bool, float]:
    started = time.monotonic()
    claimed = await store.claim(key, 60)
    return claimed, time.monotonic() - started


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


async def test_closed_redis_port_fails_open_fast_and_logs_once(
    closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisClaimStore.from_url(f"redis://127.0.0.1:{closed_port}/0", prefix=_prefix())
    try:
        with caplog.at_level(logging.INFO, logger="bot.channels"):
            results = [await _timed_claim(store, f"event:{n}") for n in range(3)]
    finally:
        await store.close()

    assert all(claimed for claimed, _ in results)  # processed anyway
    assert all(elapsed < BOUND_SECONDS for _, elapsed in results)
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and "Redis" in warnings[0]  # once per outage, not per event


async def test_hung_redis_is_cut_off_by_the_timeout(hung_port: int) -> None:
    store = RedisClaimStore.from_url(f"redis://127.0.0.1:{hung_port}/0", prefix=_prefix())
    try:
        claimed, elapsed = await _timed_claim(store, "event:hung")
    finally:
        await store.close()

    assert claimed
    assert elapsed < BOUND_SECONDS


@pytest.fixture
async def proxy() -> AsyncIterator[SwitchableProxy]:
    require_redis()
    proxy = SwitchableProxy()
    await proxy.start()
    yield proxy
    await proxy.close()


async def test_outage_and_recovery_are_each_logged_once_and_dedup_resumes(
    proxy: SwitchableProxy, caplog: pytest.LogCaptureFixture
) -> None:
    prefix = _prefix()
    store = RedisClaimStore.from_url(f"redis://127.0.0.1:{proxy.port}/0", prefix=prefix)
    async with redis_client(prefix):  # deletes the claims this test makes in the real Redis
        await _outage_and_recovery(store, proxy, caplog)

    lines = [r.getMessage() for r in caplog.records if "Redis" in r.getMessage()]
    assert len(lines) == 2, lines
    assert "unavailable" in lines[0] and "again" in lines[1]


async def _outage_and_recovery(
    store: RedisClaimStore, proxy: SwitchableProxy, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        with caplog.at_level(logging.INFO, logger="bot.channels"):
            assert await store.claim("event:a", 60)
            assert not await store.claim("event:a", 60)  # Redis up: redelivery dropped
            proxy.down()
            assert await store.claim("event:a", 60)  # Redis down: processed anyway
            assert await store.claim("event:b", 60)
            proxy.up = True
            assert not await store.claim("event:a", 60)  # back: the old claim still holds
            assert await store.claim("event:c", 60)
    finally:
        await store.close()


@pytest.mark.parametrize("endpoint", ["closed", "hung"])
async def test_resident_is_answered_within_a_bound_when_redis_fails(
    endpoint: str,
    closed_port: int,
    hung_port: int,
    fake_line: FakeLineApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = closed_port if endpoint == "closed" else hung_port
    store = RedisClaimStore.from_url(f"redis://127.0.0.1:{port}/0", prefix=_prefix())
    channel = LineInput(SECRET, TOKEN, fake_line.base_url, event_store=store)
    async with serve_harness(channel, fake_line) as h:
        with caplog.at_level(logging.INFO, logger="bot.channels"):
            started = time.monotonic()
            status, _ = await h.client.post_events(make_event(text="もう死にたい"))
            await h.settle()
            elapsed = time.monotonic() - started

    assert status == 200
    assert h.bot.texts == ["もう死にたい"]
    assert fake_line.sent_texts() == ["はい、お聞きします。"]
    assert elapsed < BOUND_SECONDS
    for line in (r.getMessage() for r in caplog.records):
        assert USER_ID not in line and "死にたい" not in line
