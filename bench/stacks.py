"""The two layouts the bench loads, started with the project's own process helpers.

* ``single_stack``: as ``make run`` runs it (scripts/run_all.sh): the action server, one Rasa
  with endpoints.yml (embedded SQLite tracker store and the SQL event broker; only the action
  server's address is changed) and the analytics consumer reading that broker.
* ``scaled_stack``: as ``make run-scaled`` runs it (scripts/run_scaled.sh), started like the
  scaled ordering test starts it: two Rasa instances with endpoints.production.yml
  behind HAProxy (deploy/haproxy.cfg) on the machine's PostgreSQL (a fresh schema), Redis (the
  bench's own lock db) and RabbitMQ (a fresh queue and exchange), plus the RabbitMQ analytics
  consumer. The LINE router, console and outbox drainer are not started: no REST turn
  reaches them.

Every server listens on a free loopback port and keeps its data under the bench's temporary
directory, so the bench never touches var/ of a running bot, nor another run's database.
"""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import yaml

from bench.common import PROJECT_ROOT, VENV_BIN, progress
from tests.analytics.consumer_support import TEST_RABBITMQ_URL
from tests.e2e.scaled import haproxy, production_endpoints, production_store_env, start_both
from tests.e2e.servers import _process, action_server, bot_env, rasa_server
from tests.ports import free_port
from tests.services import postgres_schema, require_redis

# Redis database of the bench's lock store: not the tests' (0, 1) nor run-scaled's (2).
BENCH_REDIS_DB = "9"
RASA_SERVERS = ("rasa1", "rasa2")  # deploy/haproxy.cfg's backend servers


@dataclass(frozen=True)
class Stack:
    """A running layout: where to send REST turns, and how long Rasa took to answer /status."""

    url: str
    start_seconds: float
    #: Each Rasa instance's own address (the scaled layout's, reached without HAProxy).
    instances: tuple[str, ...] = ()


def _upgrade(env: dict[str, str], log: Path) -> None:
    """The ticket and analytics tables, as run_all.sh's ``intake db upgrade`` makes them."""
    with log.open("ab") as sink:
        subprocess.run(
            [str(VENV_BIN / "intake"), "db", "upgrade"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            check=True,
        )


def _single_endpoints(work: Path, action_url: str) -> Path:
    """endpoints.yml as it is, only the action server's address changed."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = action_url
    path = work / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    return path


@contextmanager
def _timed_rasa(work: Path, endpoints: Path, env: dict[str, str]) -> Iterator[Stack]:
    started = time.monotonic()
    with rasa_server(work, endpoints, env) as url:
        yield Stack(url, time.monotonic() - started)


@contextmanager
def single_stack(work: Path) -> Iterator[Stack]:
    """Action server, Rasa (endpoints.yml stores and broker), SQL analytics consumer."""
    var = work / "var"
    env = bot_env(
        var, f"sqlite:///{var / 'tickets.sqlite3'}", {"ANALYTICS_SALT": secrets.token_hex(32)}
    )
    _upgrade(env, work / "upgrade.log")
    with ExitStack() as stack:
        progress("single instance: starting the action server")
        action_url = stack.enter_context(action_server(work, env))
        progress("single instance: starting Rasa (endpoints.yml: SQLite stores, SQL broker)")
        rasa = stack.enter_context(_timed_rasa(work, _single_endpoints(work, action_url), env))
        consumer = [str(VENV_BIN / "intake"), "analytics", "consume", "--source", "sql"]
        stack.enter_context(_process(consumer, env, work / "analytics.log"))
        progress(f"single instance: Rasa answered /status {rasa.start_seconds:.1f} s after launch")
        yield rasa


async def _delete(queue: str, exchange: str) -> None:
    connection = await aio_pika.connect(TEST_RABBITMQ_URL, timeout=5)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)
        await channel.exchange_delete(exchange)


async def _probe() -> None:
    connection = await aio_pika.connect(TEST_RABBITMQ_URL, timeout=5)
    await connection.close()


@contextmanager
def _exchange() -> Iterator[tuple[str, str]]:
    """A RabbitMQ queue and exchange of this run only (Rasa's default exchange is shared by
    every run on the machine), deleted afterwards; RabbitMQ unreachable fails at once."""
    tag = uuid.uuid4().hex[:10]
    queue, exchange = f"bench_scaled_{tag}", f"bench-scaled-exchange-{tag}"
    asyncio.run(_probe())
    try:
        yield queue, exchange
    finally:
        asyncio.run(_delete(queue, exchange))


def _scaled_env(work: Path, database_url: str, queue: str) -> dict[str, str]:
    return bot_env(
        work / "var",
        database_url,
        {
            "ANALYTICS_SALT": secrets.token_hex(32),
            **production_store_env(database_url, BENCH_REDIS_DB, queue),
        },
    )


@contextmanager
def scaled_stack(work: Path) -> Iterator[Stack]:
    """HAProxy (internal frontend, by sender) → two Rasa instances on PostgreSQL, Redis and
    RabbitMQ, with the action server and the RabbitMQ analytics consumer."""
    require_redis()
    with ExitStack() as stack:
        queue, exchange = stack.enter_context(_exchange())
        database_url = stack.enter_context(postgres_schema())
        env = _scaled_env(work, database_url, queue)
        _upgrade(env, work / "upgrade.log")
        progress("scaled layout: starting the action server")
        env["ACTION_SERVER_URL"] = stack.enter_context(action_server(work, env))
        endpoints = production_endpoints(work, exchange)
        progress("scaled layout: starting two Rasa instances in parallel")
        rasas = start_both(stack, [_timed_rasa(work, endpoints, env) for _ in RASA_SERVERS])
        internal_port = free_port()
        stack.enter_context(
            haproxy(
                work,
                {
                    **env,
                    "HAPROXY_PUBLIC_BIND": f"127.0.0.1:{free_port()}",
                    "HAPROXY_INTERNAL_BIND": f"127.0.0.1:{internal_port}",
                    "RASA1_ADDR": rasas[0].url.removeprefix("http://"),
                    "RASA2_ADDR": rasas[1].url.removeprefix("http://"),
                    # Not started: no REST turn reaches them.
                    "LINE_ROUTER_ADDR": f"127.0.0.1:{free_port()}",
                    "CONSOLE_ADDR": f"127.0.0.1:{free_port()}",
                },
            )
        )
        consumer = [str(VENV_BIN / "intake"), "analytics", "consume", "--source", "rabbitmq"]
        stack.enter_context(_process(consumer, env, work / "analytics.log"))
        slowest = max(rasa.start_seconds for rasa in rasas)
        progress(f"scaled layout: up (both Rasa answered /status within {slowest:.0f} s)")
        yield Stack(f"http://127.0.0.1:{internal_port}", slowest, tuple(rasa.url for rasa in rasas))
