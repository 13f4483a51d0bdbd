"""Scale-out: one sender's messages are processed in the order sent, on one instance.

Rasa open source's RedisLockStore is not safe across replicas (RasaHQ/rasa#9213), so the
scaled layout earns per-sender ordering by routing: HAProxy (``deploy/haproxy.cfg``, the file
``make run-scaled`` uses) hashes the sender id onto one of two Rasa instances, and LINE
deliveries go through the LINE router (``bot.line_router``), which splits them per user.

Everything here is real: two Rasa instances with ``endpoints.production.yml`` against the
machine's PostgreSQL (a fresh schema), Redis (locks, LINE redeliveries) and RabbitMQ (a fresh
queue and exchange, deleted afterwards), the action server, and Debian's HAProxy on free ports.
Which instance served what is read from HAProxy's own counters (its stats socket).

What makes it fail (both seen): HAProxy with `balance roundrobin` instead of the sender hash
stores the first burst out of order; without ``bot/channels/line_order.py`` a resident's second
LINE delivery overtakes the first (LINE1, LINE4, LINE2, LINE5, LINE3).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import (
    AbstractContextManager,
    AsyncExitStack,
    asynccontextmanager,
    contextmanager,
)
from pathlib import Path

import aio_pika
import aiohttp
import pytest
import yaml
from aiohttp.test_utils import TestServer
from sqlalchemy.engine import make_url

from bot.line.signature import compute_signature
from bot.line_router.app import create_app as create_line_router
from bot.settings import PROJECT_ROOT
from tests.analytics.consumer_support import TEST_RABBITMQ_URL
from tests.channels.line_testkit import SECRET, TOKEN, make_event, running_fake_line
from tests.e2e.servers import action_server, bot_env, free_port, rasa_server
from tests.services import TEST_REDIS_URL, postgres_schema, require_redis, schema_of

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

HAPROXY_CONFIG = PROJECT_ROOT / "deploy" / "haproxy.cfg"
ROUNDS = 4
BURST = 6  # messages of one sender in flight at once
GAP_SECONDS = 0.02  # between sends: a fast typist, far faster than any resident
SPREAD_SENDERS = 16
INSTANCES = ("rasa1", "rasa2")


def _haproxy_stats(socket_path: Path) -> dict[str, dict[str, str]]:
    """``show stat`` of the ``rasa`` backend's servers, by server name."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(socket_path))
        sock.sendall(b"show stat\n")
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    lines = raw.decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
    return {r["svname"]: r for r in rows if r.get("pxname") == "rasa" and r["svname"] in INSTANCES}


def _served(socket_path: Path) -> dict[str, int]:
    """Requests each Rasa instance has received through HAProxy so far."""
    return {name: int(row["stot"]) for name, row in _haproxy_stats(socket_path).items()}


@contextmanager
def _haproxy(work_dir: Path, env: dict[str, str]) -> Iterator[Path]:
    """Debian's HAProxy with the project's config; yields its stats socket once both Rasa
    instances pass the health check."""
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(binary).exists():
        pytest.fail("haproxy is not installed: `make haproxy` (part of `make test`) installs it")
    stats = work_dir / "haproxy.sock"
    log = (work_dir / "haproxy.log").open("wb")
    process = subprocess.Popen(
        [binary, "-W", "-db", "-f", str(HAPROXY_CONFIG)],
        env={**env, "HAPROXY_STATS_SOCKET": str(stats)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError((work_dir / "haproxy.log").read_text()[-3000:])
            try:
                if all(r["status"] == "UP" for r in _haproxy_stats(stats).values()):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("HAProxy did not see both Rasa instances up")
            time.sleep(0.3)
        yield stats
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _start_both(stack: AsyncExitStack, managers: list[AbstractContextManager[str]]) -> list[str]:
    """Enter the Rasa servers' context managers in parallel (each needs ~40 s to load the
    model), registering each exit on ``stack``, failed or not."""
    with ThreadPoolExecutor(len(managers)) as pool:
        futures = [pool.submit(manager.__enter__) for manager in managers]
        for manager in managers:
            stack.push(manager.__exit__)
        return [future.result() for future in futures]


async def _say(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> None:
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        assert response.status == 200, await response.text()
        await response.read()


async def _burst(session: aiohttp.ClientSession, url: str, sender: str, texts: list[str]) -> None:
    """Send every text without waiting for answers, ``GAP_SECONDS`` apart: all in flight."""
    tasks = []
    for text in texts:
        tasks.append(asyncio.create_task(_say(session, url, sender, text)))
        await asyncio.sleep(GAP_SECONDS)
    await asyncio.gather(*tasks)


async def _user_texts(
    session: aiohttp.ClientSession, internal: str, token: str, sender: str
) -> list[str]:
    async with session.get(
        f"{internal}/conversations/{sender}/tracker", params={"token": token}
    ) as response:
        assert response.status == 200
        tracker = await response.json()
    return [e.get("text") for e in tracker["events"] if e.get("event") == "user"]


async def _wait_for_texts(
    session: aiohttp.ClientSession, internal: str, token: str, sender: str, count: int
) -> list[str]:
    deadline = time.monotonic() + 90
    while True:
        texts = await _user_texts(session, internal, token, sender)
        if len(texts) >= count or time.monotonic() > deadline:
            return texts
        await asyncio.sleep(0.5)


@asynccontextmanager
async def _fresh_exchange() -> AsyncIterator[tuple[str, str]]:
    """A RabbitMQ queue and exchange of this run only (connecting first: RabbitMQ being
    unreachable fails the test), both deleted afterwards."""
    tag = uuid.uuid4().hex[:10]
    queue, exchange = f"test_scaled_{tag}", f"test-scaled-exchange-{tag}"
    probe = await aio_pika.connect(TEST_RABBITMQ_URL, timeout=5)
    await probe.close()
    try:
        yield queue, exchange
    finally:
        connection = await aio_pika.connect(TEST_RABBITMQ_URL, timeout=5)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)
            await channel.exchange_delete(exchange)


def _production_endpoints(work_dir: Path, exchange: str) -> Path:
    """endpoints.production.yml with the test's own RabbitMQ exchange (Rasa's default one is
    shared by every run on the machine)."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.production.yml").read_text("utf-8"))
    endpoints["event_broker"]["exchange_name"] = exchange
    path = work_dir / "endpoints.production.yml"
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    return path


async def test_one_senders_messages_stay_in_order_on_one_instance(tmp_path: Path) -> None:
    """A burst of one sender's messages, all in flight at once through HAProxy, is processed in
    the order sent, every round, by one instance; different senders use both instances; and a
    LINE delivery of several users, split by the router, keeps each user's order too."""
    require_redis()
    redis = make_url(TEST_REDIS_URL)
    rabbit = make_url(TEST_RABBITMQ_URL)
    public_port, internal_port, router_port = free_port(), free_port(), free_port()
    async with AsyncExitStack() as stack:
        fake_line = await stack.enter_async_context(running_fake_line())
        queue, exchange = await stack.enter_async_context(_fresh_exchange())
        trackers_url = stack.enter_context(postgres_schema())
        database = make_url(trackers_url)
        env = bot_env(
            tmp_path / "var",
            f"sqlite:///{tmp_path / 'tickets.sqlite3'}",
            {
                "TRACKER_DB_HOST": database.host or "127.0.0.1",
                "TRACKER_DB_PORT": str(database.port or 5432),
                "TRACKER_DB_NAME": database.database or "",
                "TRACKER_DB_USER": database.username or "",
                "TRACKER_DB_PASSWORD": database.password or "",
                "POSTGRESQL_SCHEMA": schema_of(trackers_url),
                "REDIS_HOST": redis.host or "127.0.0.1",
                "REDIS_PORT": str(redis.port or 6379),
                "REDIS_LOCK_DB": "1",
                "REDIS_PASSWORD": redis.password or "",
                "REDIS_URL": TEST_REDIS_URL,
                "RABBITMQ_HOST": rabbit.host or "127.0.0.1",
                "RABBITMQ_PORT": str(rabbit.port or 5672),
                "RABBITMQ_USERNAME": rabbit.username or "guest",
                "RABBITMQ_PASSWORD": rabbit.password or "guest",
                "RABBITMQ_QUEUE": queue,
                "LINE_CHANNEL_SECRET": SECRET,
                "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
                "LINE_API_BASE": fake_line.base_url,
            },
        )
        env["ACTION_SERVER_URL"] = stack.enter_context(action_server(tmp_path, env))
        endpoints = _production_endpoints(tmp_path, exchange)
        rasa_urls = _start_both(stack, [rasa_server(tmp_path, endpoints, env) for _ in INSTANCES])
        stats = stack.enter_context(
            _haproxy(
                tmp_path,
                {
                    **env,
                    "HAPROXY_PUBLIC_BIND": f"127.0.0.1:{public_port}",
                    "HAPROXY_INTERNAL_BIND": f"127.0.0.1:{internal_port}",
                    "RASA1_ADDR": rasa_urls[0].removeprefix("http://"),
                    "RASA2_ADDR": rasa_urls[1].removeprefix("http://"),
                    "LINE_ROUTER_ADDR": f"127.0.0.1:{router_port}",
                    "CONSOLE_ADDR": f"127.0.0.1:{free_port()}",  # not started: not needed here
                },
            )
        )
        public = f"http://127.0.0.1:{public_port}"
        internal = f"http://127.0.0.1:{internal_port}"
        router = TestServer(
            create_line_router(SECRET, internal), host="127.0.0.1", port=router_port
        )
        await router.start_server()
        stack.push_async_callback(router.close)
        token = env["RASA_AUTH_TOKEN"]
        rest = f"{internal}/webhooks/rest/webhook"
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            # 1. Bursts of one sender, several rounds: order kept, one instance each time.
            for round_number in range(ROUNDS):
                sender = f"burst-{round_number}-{uuid.uuid4().hex[:8]}"
                texts = [f"{round_number}回目の{i}番目のメッセージ" for i in range(BURST)]
                before = _served(stats)
                await _burst(session, rest, sender, texts)
                stored = await _user_texts(session, internal, token, sender)
                assert stored == texts, stored
                served = {name: _served(stats)[name] - before[name] for name in INSTANCES}
                assert sorted(served.values()) == [0, BURST + 1], served  # + the tracker read

            # Rasa is not published: its REST channel believes any sender it is given.
            before = _served(stats)
            async with session.post(
                f"{public}/webhooks/rest/webhook", json={"sender": "x", "message": "y"}
            ) as response:
                assert response.status != 200
            assert _served(stats) == before

            # 2. Different senders spread over both instances.
            before = _served(stats)
            senders = [f"spread-{i}-{uuid.uuid4().hex[:8]}" for i in range(SPREAD_SENDERS)]
            await asyncio.gather(*(_say(session, rest, s, "こんにちは") for s in senders))
            served = {name: _served(stats)[name] - before[name] for name in INSTANCES}
            assert all(count > 0 for count in served.values()), served

            # 3. LINE: two deliveries, each with two users' events interleaved, posted back to
            # back (the second arrives while the first is still being answered).
            users = [f"U{uuid.uuid4().hex}", f"U{uuid.uuid4().hex}"]
            first = [(u, f"LINE{n}") for n in (1, 2, 3) for u in users]
            second = [(u, f"LINE{n}") for n in (4, 5) for u in users]
            for delivery in (first, second):
                events = [
                    make_event(
                        text=text,
                        source={"type": "user", "userId": user},
                        reply_token=f"rt-{uuid.uuid4().hex}",
                    )
                    for user, text in delivery
                ]
                payload = {"destination": "Ubot", "events": events}
                body = json.dumps(payload, ensure_ascii=False).encode()
                async with session.post(
                    f"{public}/webhooks/line/webhook",
                    data=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-Line-Signature": compute_signature(SECRET, body),
                    },
                ) as response:
                    assert response.status == 200, await response.text()
            for user in users:
                texts = await _wait_for_texts(session, internal, token, user, 5)
                assert texts == [f"LINE{n}" for n in range(1, 6)], texts
