"""The scaled layout for end-to-end tests: two Rasa instances behind HAProxy, started for real.

``scaled_layout`` starts what ``make run-scaled`` runs, on free ports: the action server, two
Rasa instances with ``endpoints.production.yml`` against the machine's PostgreSQL (a fresh
schema), Redis (locks, LINE redeliveries) and RabbitMQ (a fresh queue and exchange, deleted
afterwards), a fake LINE API, and Debian's HAProxy with ``deploy/haproxy.cfg``. Which instance
served what is read from HAProxy's own counters (its stats socket). Shared by the ordering test
(tests/e2e/test_scaled_ordering.py) and the fault tests (tests/faults/).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import (
    AbstractContextManager,
    AsyncExitStack,
    ExitStack,
    asynccontextmanager,
    contextmanager,
)
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aio_pika
import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.settings import PROJECT_ROOT
from tests.analytics.consumer_support import TEST_RABBITMQ_URL
from tests.channels.line_testkit import SECRET, TOKEN, FakeLineApi, running_fake_line
from tests.e2e.servers import action_server, bot_env, rasa_server
from tests.ports import free_port, free_ports
from tests.services import TEST_REDIS_URL, postgres_schema, require_redis, tracker_db_env

T = TypeVar("T")

HAPROXY_CONFIG = PROJECT_ROOT / "deploy" / "haproxy.cfg"
INSTANCES = ("rasa1", "rasa2")


def haproxy_stats(socket_path: Path) -> dict[str, dict[str, str]]:
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


def served(socket_path: Path) -> dict[str, int]:
    """Requests each Rasa instance has received through HAProxy so far."""
    return {name: int(row["stot"]) for name, row in haproxy_stats(socket_path).items()}


@contextmanager
def haproxy(work_dir: Path, env: dict[str, str]) -> Iterator[Path]:
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
                if all(r["status"] == "UP" for r in haproxy_stats(stats).values()):
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


def start_both(
    stack: ExitStack | AsyncExitStack, managers: list[AbstractContextManager[T]]
) -> list[T]:
    """Enter the Rasa servers' context managers in parallel (each needs ~40 s to load the
    model), registering each exit on ``stack``, failed or not."""
    with ThreadPoolExecutor(len(managers)) as pool:
        futures = [pool.submit(manager.__enter__) for manager in managers]
        for manager in managers:
            stack.push(manager.__exit__)
        return [future.result() for future in futures]


def production_store_env(
    trackers_url: str, redis_lock_db: str, rabbitmq_queue: str
) -> dict[str, str]:
    """The variables endpoints.production.yml reads, for the machine's PostgreSQL (the given
    schema), Redis and RabbitMQ: what the ops team sets on every Rasa instance."""
    redis = make_url(TEST_REDIS_URL)
    rabbit = make_url(TEST_RABBITMQ_URL)
    return {
        **tracker_db_env(trackers_url),
        "REDIS_HOST": redis.host or "127.0.0.1",
        "REDIS_PORT": str(redis.port or 6379),
        "REDIS_LOCK_DB": redis_lock_db,
        "REDIS_PASSWORD": redis.password or "",
        "RABBITMQ_HOST": rabbit.host or "127.0.0.1",
        "RABBITMQ_PORT": str(rabbit.port or 5672),
        "RABBITMQ_USERNAME": rabbit.username or "guest",
        "RABBITMQ_PASSWORD": rabbit.password or "guest",
        "RABBITMQ_QUEUE": rabbitmq_queue,
    }


@asynccontextmanager
async def fresh_exchange() -> AsyncIterator[tuple[str, str]]:
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


def production_endpoints(work_dir: Path, exchange: str) -> Path:
    """endpoints.production.yml with the test's own RabbitMQ exchange (Rasa's default one is
    shared by every run on the machine)."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.production.yml").read_text("utf-8"))
    endpoints["event_broker"]["exchange_name"] = exchange
    path = work_dir / "endpoints.production.yml"
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    return path


def pid_listening_on(port: int) -> int:
    """The process whose command line is ``rasa run ... --port <port>`` (a Rasa instance)."""
    wanted = f"--port\0{port}\0".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"rasa\0run\0" in cmdline and wanted in cmdline + b"\0":
            return int(entry.name)
    raise LookupError(f"no Rasa process on port {port}")


@dataclass
class ScaledLayout:
    public: str  # HAProxy's public frontend (LINE routers, console)
    internal: str  # HAProxy's internal frontend (Rasa, by sender)
    stats: Path  # HAProxy's stats socket
    rasa_urls: dict[str, str]  # by HAProxy server name (rasa1, rasa2)
    token: str  # Rasa's HTTP API token
    router_port: int  # where a LINE router must listen for the public frontend
    fake_line: FakeLineApi
    env: dict[str, str]

    def kill(self, instance: str) -> None:
        """SIGKILL one Rasa instance: no shutdown, no goodbye, as when its host dies."""
        port = int(self.rasa_urls[instance].rsplit(":", 1)[1])
        os.kill(pid_listening_on(port), signal.SIGKILL)


@asynccontextmanager
async def scaled_layout(work_dir: Path) -> AsyncIterator[ScaledLayout]:
    """Everything ``make run-scaled`` runs except the LINE router, the console and the
    consumer (tests start what they need); stopped and cleaned up afterwards."""
    require_redis()
    public_port, internal_port, router_port = free_ports(3)
    async with AsyncExitStack() as stack:
        fake_line = await stack.enter_async_context(running_fake_line())
        queue, exchange = await stack.enter_async_context(fresh_exchange())
        trackers_url = stack.enter_context(postgres_schema())
        env = bot_env(
            work_dir / "var",
            f"sqlite:///{work_dir / 'tickets.sqlite3'}",
            {
                **production_store_env(trackers_url, redis_lock_db="1", rabbitmq_queue=queue),
                "REDIS_URL": TEST_REDIS_URL,
                "LINE_CHANNEL_SECRET": SECRET,
                "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
                "LINE_API_BASE": fake_line.base_url,
            },
        )
        env["ACTION_SERVER_URL"] = stack.enter_context(action_server(work_dir, env))
        endpoints = production_endpoints(work_dir, exchange)
        urls = start_both(stack, [rasa_server(work_dir, endpoints, env) for _ in INSTANCES])
        stats = stack.enter_context(
            haproxy(
                work_dir,
                {
                    **env,
                    "HAPROXY_PUBLIC_BIND": f"127.0.0.1:{public_port}",
                    "HAPROXY_INTERNAL_BIND": f"127.0.0.1:{internal_port}",
                    "RASA1_ADDR": urls[0].removeprefix("http://"),
                    "RASA2_ADDR": urls[1].removeprefix("http://"),
                    "LINE_ROUTER_ADDR": f"127.0.0.1:{router_port}",
                    "CONSOLE_ADDR": f"127.0.0.1:{free_port()}",  # not started: not needed here
                },
            )
        )
        yield ScaledLayout(
            public=f"http://127.0.0.1:{public_port}",
            internal=f"http://127.0.0.1:{internal_port}",
            stats=stats,
            rasa_urls=dict(zip(INSTANCES, urls, strict=True)),
            token=env["RASA_AUTH_TOKEN"],
            router_port=router_port,
            fake_line=fake_line,
            env=env,
        )
