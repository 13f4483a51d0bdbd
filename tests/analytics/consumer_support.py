"""Shared pieces of the consumer tests: the machine's real RabbitMQ and the count check.

RabbitMQ (``TEST_RABBITMQ_URL``, default guest@127.0.0.1:5672) being unreachable fails the
test, like PostgreSQL and Redis in ``tests/services.py``. Each test gets its own queue *and*
its own fanout exchange: Rasa's default exchange (``rasa-exchange``) fans out to every bound
queue, so a Rasa server running on this machine would otherwise pour its events into ours.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import aio_pika
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.analytics.schema import ConversationRow, MessageRow
from bot.settings import PROJECT_ROOT
from tests.analytics.event_dataset import Expected

TEST_RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
SALT = "consumer-test-salt-0123456789"


@dataclass(frozen=True)
class Route:
    queue: str
    exchange: str


async def _admin(action: Any) -> Any:
    connection = await aio_pika.connect(TEST_RABBITMQ_URL, timeout=5)
    async with connection:
        channel = await connection.channel()
        return await action(channel)


def require_rabbitmq() -> None:
    try:
        asyncio.run(_admin(lambda channel: asyncio.sleep(0)))
    except Exception as error:  # noqa: BLE001 - any failure means "not there"
        pytest.fail(f"RabbitMQ at {TEST_RABBITMQ_URL} is unreachable: {error}", pytrace=False)


@contextmanager
def fresh_route() -> Iterator[Route]:
    """A queue and exchange no other run uses; both deleted afterwards."""
    require_rabbitmq()
    tag = uuid.uuid4().hex[:10]
    route = Route(f"test_analytics_{tag}", f"test-analytics-exchange-{tag}")
    try:
        yield route
    finally:

        async def cleanup(channel: Any) -> None:
            await channel.queue_delete(route.queue)
            await channel.exchange_delete(route.exchange)

        wait_for_rabbitmq()
        asyncio.run(_admin(cleanup))


def queue_depth(queue: str) -> int:
    """Messages ready in the queue (not those delivered and unacknowledged)."""

    async def depth(channel: Any) -> int:
        declared = await channel.declare_queue(queue, durable=True, passive=True)
        return int(declared.declaration_result.message_count)

    return int(asyncio.run(_admin(depth)))


def publish_with_rasa(events: list[dict[str, Any]], route: Route) -> None:
    """Publish through Rasa's own PikaEventBroker: exchange, queue, persistence as in production."""
    import rasa.shared.core.events  # noqa: F401 - a Rasa server has it loaded; pika.py uses it
    from rasa.core.brokers.pika import PikaEventBroker

    async def run() -> None:
        failures: list[object] = []
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: failures.append(ctx))
        broker = PikaEventBroker(
            "127.0.0.1",
            "guest",
            "guest",
            port=5672,
            queues=[route.queue],
            exchange_name=route.exchange,
            event_loop=asyncio.get_running_loop(),
            connection_attempts=3,
            retry_delay_in_seconds=1,
        )
        await broker.connect()
        for event in events:
            broker.publish(event)
        # publish() schedules a task per event; each ends when RabbitMQ confirmed it.
        while broker._background_tasks:
            await asyncio.sleep(0.05)
        await broker.close()
        assert not broker._unpublished_events and not failures, failures[:1]

    asyncio.run(run())


def turns_of(events: list[dict[str, Any]], most: int = 12) -> list[list[dict[str, Any]]]:
    """The stream cut as the tracker store hands it over: runs of one sender's consecutive
    events, at most ``most`` each (a turn is ~12)."""
    turns: list[list[dict[str, Any]]] = []
    for event in events:
        last = turns[-1] if turns else None
        if last and last[0]["sender_id"] == event["sender_id"] and len(last) < most:
            last.append(event)
        else:
            turns.append([event])
    return turns


def publish_turns_with_production_broker(turns: list[list[dict[str, Any]]], route: Route) -> None:
    """Publish each turn with ``DegradingPikaEventBroker.publish_many``, as production does."""
    from rasa.utils.endpoints import EndpointConfig

    from bot.analytics.rabbitmq_broker import DegradingPikaEventBroker

    async def run() -> None:
        broker = await DegradingPikaEventBroker.from_endpoint_config(
            EndpointConfig(
                url="127.0.0.1",
                port=5672,
                username="guest",
                password="guest",
                queues=[route.queue],
                exchange_name=route.exchange,
            )
        )
        assert broker is not None
        for turn in turns:
            broker.publish_many(turn)
        while broker._background_tasks:  # each ends when RabbitMQ confirmed its message
            await asyncio.sleep(0.05)
        assert broker.waiting == 0
        await broker.close()

    asyncio.run(run())


def wait_for_rabbitmq(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            asyncio.run(_admin(lambda channel: asyncio.sleep(0)))
            return
        except Exception:  # noqa: BLE001
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def restart_rabbitmq() -> None:
    """Stop and start the RabbitMQ application (the node's durable state is what remains)."""
    for action in ("stop_app", "start_app"):
        subprocess.run(["rabbitmqctl", action], check=True, capture_output=True, timeout=120)
    wait_for_rabbitmq()


def start_consumer(db_url: str, route: Route, *args: str) -> subprocess.Popen[str]:
    """``intake analytics consume --source rabbitmq`` as its own process (it can be killed)."""
    env = {
        **os.environ,
        "ANALYTICS_DATABASE_URL": db_url,
        "ANALYTICS_SALT": SALT,
        "RABBITMQ_URL": TEST_RABBITMQ_URL,
        "RABBITMQ_QUEUE": route.queue,
        "PYTHONWARNINGS": "ignore",
    }
    command = [sys.executable, "-m", "bot.cli", "analytics", "consume", "--source", "rabbitmq"]
    return subprocess.Popen(
        [*command, *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def message_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(MessageRow)).scalar_one())


def wait_until(predicate: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def analytic_counts(engine: Engine) -> Expected:
    """The analytic tables summed up the way ``Expected`` counts the generated stream."""
    messages = MessageRow.__table__
    conversations = ConversationRow.__table__
    found = Expected()
    with engine.connect() as connection:
        for city, categories, fallback in connection.execute(
            select(messages.c.city, messages.c.categories, messages.c.fallback)
        ):
            found.messages += 1
            found.messages_by_city[city] += 1
            found.fallbacks += fallback is not None
            for category in categories:
                found.by_city_category[(city, category)] += 1
        flags = Counter[str]()
        for row in connection.execute(select(conversations)).mappings():
            found.conversations += 1
            for flag in ("crisis", "window_shown", "handoff_offered", "ticket_created"):
                flags[flag] += bool(row[flag])
    found.crisis_conversations = flags["crisis"]
    found.window_shown = flags["window_shown"]
    found.handoff_offered = flags["handoff_offered"]
    found.ticket_created = flags["ticket_created"]
    return found


def assert_counts(engine: Engine, expected: Expected) -> None:
    found = analytic_counts(engine)
    found.events = expected.events  # not stored: events are not rows
    assert found == expected
