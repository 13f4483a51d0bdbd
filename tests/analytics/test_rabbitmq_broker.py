"""The production event broker (``DegradingPikaEventBroker``) against a real RabbitMQ node.

The node is the test's own (``tests.analytics.rabbitmq_server``), so that it can be down when
the broker starts and come up later; the machine's RabbitMQ is never stopped.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import aio_pika
import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.analytics.rabbitmq_broker import DegradingPikaEventBroker
from tests.analytics.rabbitmq_server import OwnRabbitMQ, own_rabbitmq

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def node() -> Iterator[OwnRabbitMQ]:
    """One node for the module, not started: each test starts it when its story needs."""
    with own_rabbitmq() as server:
        yield server


def _config(node: OwnRabbitMQ, queue: str, **extra: Any) -> EndpointConfig:
    """As endpoints.production.yml gives it to Rasa."""
    return EndpointConfig(
        url="127.0.0.1",
        type="bot.analytics.rabbitmq_broker.DegradingPikaEventBroker",
        port=node.port,
        username="guest",
        password="guest",
        queues=[queue],
        exchange_name=f"exchange-{queue}",
        **extra,
    )


def _event(number: int) -> dict[str, Any]:
    return {"event": "user", "text": f"message {number}", "timestamp": time.time()}


def _texts(body: bytes) -> str | tuple[str, ...]:
    """A message's event text, or the texts of a turn's events sent as one message."""
    decoded = json.loads(body)
    if isinstance(decoded, list):
        return tuple(event["text"] for event in decoded)
    return str(decoded["text"])


async def _queued_texts(
    node: OwnRabbitMQ, queue: str, expected: int, seconds: float
) -> list[str | tuple[str, ...]]:
    """Texts of the messages in ``queue``, in order, once ``expected`` arrived (or time is
    up), plus anything that arrives in one more second (a duplicate would)."""
    texts: list[str | tuple[str, ...]] = []
    deadline = time.monotonic() + seconds
    grace_until: float | None = None
    while time.monotonic() < (grace_until or deadline):
        try:
            connection = await aio_pika.connect(node.url, timeout=2)
        except Exception:  # noqa: BLE001 - still starting
            await asyncio.sleep(0.5)
            continue
        async with connection:
            channel = await connection.channel()
            declared = await channel.declare_queue(queue, durable=True)
            while (message := await declared.get(no_ack=True, fail=False)) is not None:
                texts.append(_texts(message.body))
        if len(texts) >= expected and grace_until is None:
            grace_until = time.monotonic() + 1
        await asyncio.sleep(0.3)
    return texts


async def _through_an_outage(
    node: OwnRabbitMQ, caplog: pytest.LogCaptureFixture, events: int, **options: Any
) -> tuple[int, list[str | tuple[str, ...]], list[str]]:
    """Start the broker while the node is down (within 10 s), publish ``events``, start the
    node: how many events waited, the texts that reached the queue, the broker's warnings."""
    node.kill()
    queue = f"broker_{uuid.uuid4().hex[:8]}"
    caplog.set_level(logging.WARNING, logger="bot.analytics.rabbitmq_broker")
    started = time.monotonic()
    broker = await DegradingPikaEventBroker.from_endpoint_config(_config(node, queue, **options))
    assert broker is not None
    assert time.monotonic() - started < 10
    for number in range(events):
        broker.publish(_event(number))
    await asyncio.sleep(0.5)
    waiting = broker.waiting
    await asyncio.to_thread(node.start)
    try:
        texts = await _queued_texts(node, queue, min(waiting, events), 60)
    finally:
        await broker.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    return waiting, texts, warnings


async def test_starts_while_rabbitmq_is_down_and_publishes_what_waited_once_it_is_up(
    node: OwnRabbitMQ, caplog: pytest.LogCaptureFixture
) -> None:
    """Rasa's own broker would hold the server's start for 100 s and then stop it; this one is
    ready at once, keeps the events, and delivers each of them, in order, once RabbitMQ
    answers. The outage and the recovery are one warning each."""
    waiting, texts, warnings = await _through_an_outage(node, caplog, 3)
    assert waiting == 3
    assert texts == ["message 0", "message 1", "message 2"]  # once each, in order
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("RabbitMQ unavailable")
    assert warnings[1].startswith("RabbitMQ reachable again")


async def test_a_long_outage_keeps_only_the_newest_events_and_says_how_many_were_dropped(
    node: OwnRabbitMQ, caplog: pytest.LogCaptureFixture
) -> None:
    """Memory is bounded: beyond ``max_unpublished_events`` the oldest waiting events go, the
    log says so once and counts them when RabbitMQ is back; the newest ones arrive."""
    waiting, texts, warnings = await _through_an_outage(node, caplog, 5, max_unpublished_events=2)
    assert waiting == 2
    assert texts == ["message 3", "message 4"]
    assert sum("the oldest are dropped" in w for w in warnings) == 1, warnings
    assert any("(3 dropped while it was away)" in w for w in warnings), warnings


async def test_a_turn_is_one_message_and_waits_whole_through_an_outage(
    node: OwnRabbitMQ, caplog: pytest.LogCaptureFixture
) -> None:
    """``publish_many`` (what the tracker store calls with a turn's events) sends the turn as
    one message, its events in order. While RabbitMQ is down the bound counts events and
    drops whole turns, oldest first, so no half turn ever reaches the analytics."""
    node.kill()
    queue = f"broker_{uuid.uuid4().hex[:8]}"
    caplog.set_level(logging.WARNING, logger="bot.analytics.rabbitmq_broker")
    broker = await DegradingPikaEventBroker.from_endpoint_config(
        _config(node, queue, max_unpublished_events=5)
    )
    assert broker is not None
    broker.publish_many([_event(0), _event(1), _event(2)])
    broker.publish_many([_event(3), _event(4)])
    broker.publish_many([_event(5), _event(6)])
    await asyncio.sleep(0.5)
    assert broker.waiting == 4  # the first turn went: 7 events would pass the bound of 5
    await asyncio.to_thread(node.start)
    try:
        texts = await _queued_texts(node, queue, 2, 60)
        broker.publish_many([_event(7), _event(8)])  # connected again: straight through
        texts += await _queued_texts(node, queue, 1, 30)
    finally:
        await broker.close()
    assert texts == [
        ("message 3", "message 4"),
        ("message 5", "message 6"),
        ("message 7", "message 8"),
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("(3 dropped while it was away)" in w for w in warnings), warnings


async def test_turns_arriving_while_the_backlog_is_being_sent_lose_only_what_is_counted(
    node: OwnRabbitMQ, caplog: pytest.LogCaptureFixture
) -> None:
    """RabbitMQ hangs (frozen, not dead) with the backlog at its bound, and turns keep coming
    while the broker is sending the oldest waiting turn. The bound drops the oldest turn that
    is not being sent, and the log counts exactly the events dropped; every other turn
    arrives, in order, and nothing is left counted as waiting."""
    await asyncio.to_thread(node.start)
    queue = f"broker_{uuid.uuid4().hex[:8]}"
    caplog.set_level(logging.WARNING, logger="bot.analytics.rabbitmq_broker")
    broker = await DegradingPikaEventBroker.from_endpoint_config(
        _config(node, queue, max_unpublished_events=6, publish_timeout_seconds=4)
    )
    assert broker is not None
    try:
        node.freeze()
        broker.publish_many([_event(0)])  # hangs, times out after 4 s: waits at the head
        await asyncio.sleep(5)
        broker.publish_many([_event(1), _event(2)])  # waits; the backlog is being sent again
        await asyncio.sleep(0.5)
        broker.publish_many([_event(3), _event(4), _event(5), _event(6)])  # 7 > 6: one turn goes
        await asyncio.sleep(0.5)
        node.thaw()
        texts = await _queued_texts(node, queue, 2, 30)
        await asyncio.sleep(1)
        waiting = broker.waiting
    finally:
        node.thaw()
        await broker.close()
    in_order = [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != t]  # a resend
    assert in_order == [("message 0",), ("message 3", "message 4", "message 5", "message 6")]
    assert waiting == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("(2 dropped while it was away)" in w for w in warnings), warnings


async def test_a_node_that_accepts_connections_but_never_answers_does_not_hold_the_start() -> None:
    """A frozen RabbitMQ (or a firewall dropping its packets after the handshake): the
    connection opens and the AMQP greeting never comes. The broker gives up on it after its
    connect timeout, so Rasa starts, and keeps the events."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes handshakes; nobody ever reads or writes
        config = EndpointConfig(
            url="127.0.0.1",
            port=silent.getsockname()[1],
            username="guest",
            password="guest",
            queues=["never"],
            connect_timeout_seconds=1,
        )
        started = time.monotonic()
        broker = await DegradingPikaEventBroker.from_endpoint_config(config)
        assert broker is not None
        assert time.monotonic() - started < 5
        broker.publish(_event(1))
        await asyncio.sleep(0.2)
        assert broker.waiting == 1
        await broker.close()


async def test_an_outage_mid_run_is_one_warning_however_long_it_lasts(
    node: OwnRabbitMQ, caplog: pytest.LogCaptureFixture
) -> None:
    """RabbitMQ dies under a connected broker for 16 s and comes back. The operator reads one
    warning when it goes and one when it is back, not aio-pika's line every 5 s for as long as
    it lasts, nor asyncio's tracebacks of the connection error aiormq leaves in futures nobody
    awaits; every event sent meanwhile still arrives, once, in order."""
    await asyncio.to_thread(node.start)
    queue = f"broker_{uuid.uuid4().hex[:8]}"
    caplog.set_level(logging.WARNING)
    broker = await DegradingPikaEventBroker.from_endpoint_config(
        _config(node, queue, publish_timeout_seconds=2)
    )
    assert broker is not None
    try:
        broker.publish(_event(0))
        # Connected and delivering: the first event is in the queue before the node dies.
        assert await _queued_texts(node, queue, 1, 30) == ["message 0"]
        node.kill()
        for number in range(1, 5):
            broker.publish(_event(number))
            await asyncio.sleep(4)
        await asyncio.to_thread(node.start)
        texts = await _queued_texts(node, queue, 4, 60)
    finally:
        await broker.close()
    assert texts == [f"message {n}" for n in range(1, 5)]
    gc.collect()  # an orphaned future's "exception was never retrieved" is logged now
    warnings = [
        f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING
    ]
    assert len(warnings) == 2, warnings
    assert "RabbitMQ unavailable" in warnings[0] and "RabbitMQ reachable again" in warnings[1]
