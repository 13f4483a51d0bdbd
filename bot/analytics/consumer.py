"""``intake analytics consume``: Rasa's event stream → masked analytic rows, at least once.

Rasa publishes every tracker event through its event broker; this worker is the broker's only
reader, so analytics never need a side channel into the bot (nor its tracker store, which holds
the raw conversations). Two sources, one ingestion path (``AnalyticsStore.record``):

* **RabbitMQ** (production, Rasa's ``pika`` broker): the durable queue Rasa binds to its fanout
  exchange. A message is one event (Rasa's broker) or a turn's events as a JSON array
  (``DegradingPikaEventBroker.publish_many``, what production runs); both are read the same
  way (``decode_events``). Messages are taken in batches (``prefetch`` = batch size), the
  batch is written in one transaction, and only after the commit is the batch acknowledged
  (``ack(multiple=True)`` on its last delivery tag). A crash or a lost connection before the
  ack makes RabbitMQ redeliver the whole batch; the rows are keyed by event (``event_key``),
  so a redelivered event is never counted twice. When RabbitMQ goes away the worker
  reconnects with backoff; Rasa publishes persistent messages to a durable queue, so what was
  queued survives a RabbitMQ restart.
* **SQL** (embedded default of ``make run``, Rasa's ``sql`` broker on SQLite): the table read
  by id with the offset committed together with the rows (``bot.analytics.sources``).

A commit that fails (analytics database down) acknowledges nothing: the RabbitMQ channel is
closed so its messages go back to the queue, the SQL offset does not move, and the worker
retries after a pause. Malformed messages are acknowledged with their batch and counted as
skipped: redelivering them would only block the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.analytics.sources import (
    SQL_SOURCE,
    SqlEventSource,
    decode_events,
    reset_offset_if_recreated,
)
from bot.analytics.store import AnalyticsStore

logger = logging.getLogger(__name__)

__all__ = ["ConsumeStats", "consume_rabbitmq", "consume_sql"]

# How long to collect a batch after its first message before writing it.
BATCH_WINDOW_SECONDS = 0.5
# With ``once``: stop when nothing arrived for this long.
IDLE_EXIT_SECONDS = 2.0
RECONNECT_MIN_SECONDS = 1.0
RECONNECT_MAX_SECONDS = 30.0
# Any single AMQP step (open a channel, declare, ack) longer than this means a dead connection:
# while RabbitMQ stops, aiormq can leave a write waiting for ever instead of failing.
AMQP_STEP_SECONDS = 10.0


@dataclass
class ConsumeStats:
    """Totals of one run (printed by the CLI, read by tests)."""

    batches: int = 0
    events: int = 0
    messages_inserted: int = 0
    skipped: int = 0
    reconnects: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, events: int, inserted: int, skipped: int) -> None:
        self.batches += 1
        self.events += events
        self.messages_inserted += inserted
        self.skipped += skipped


def _ingest(
    store: AnalyticsStore, bodies: list[bytes | str], **kwargs: Any
) -> tuple[int, int, int]:
    """Decode and record one batch of messages; returns (events in them, messages inserted,
    skipped). A message is one event or, from the production broker, a turn's events."""
    events: list[Mapping[str, Any]] = []
    undecodable = 0
    for body in bodies:
        decoded = decode_events(body)
        if decoded is None:
            undecodable += 1
        else:
            events.extend(decoded)
    result = store.record(events, **kwargs)
    return len(events) + undecodable, result.messages_inserted, result.skipped + undecodable


def _backoff(attempt: int) -> float:
    return float(min(RECONNECT_MAX_SECONDS, RECONNECT_MIN_SECONDS * 2 ** min(attempt, 6)))


# -- SQL (embedded) --------------------------------------------------------------------------


def consume_sql(
    store: AnalyticsStore,
    source: SqlEventSource,
    *,
    batch_size: int = 500,
    poll_seconds: float = 1.0,
    once: bool = False,
    stop: threading.Event | None = None,
) -> ConsumeStats:
    """Read Rasa's SQL broker table from the saved offset until ``stop`` (or drained: ``once``)."""
    stop = stop or threading.Event()
    stats = ConsumeStats()
    failures = 0
    while not stop.is_set():
        try:
            offset = reset_offset_if_recreated(source, store.engine)
            rows = source.read(offset, batch_size)
            if rows:
                last_id = rows[-1][0]
                events, inserted, skipped = _ingest(
                    store, [data for _, data in rows], offset=(SQL_SOURCE, last_id)
                )
                stats.add(events, inserted, skipped)
                source.delete_before(last_id)  # committed: the raw events can go
                failures = 0
                continue
        except (OperationalError, DBAPIError) as error:
            failures += 1
            stats.errors.append(type(error.orig or error).__name__)
            logger.warning(
                "Analytics could not read or commit (%s); retrying",
                type(error.orig or error).__name__,
            )
            stop.wait(_backoff(failures))
            continue
        if once:
            break
        stop.wait(poll_seconds)
    return stats


# -- RabbitMQ (production) -------------------------------------------------------------------


class _ConnectionLost(Exception):
    """The channel closed under us: reconnect (unacknowledged messages are redelivered)."""


async def _next_batch(
    inbox: asyncio.Queue[AbstractIncomingMessage],
    connection: aio_pika.abc.AbstractConnection,
    channel: aio_pika.abc.AbstractChannel,
    batch_size: int,
    first_wait: float,
) -> list[AbstractIncomingMessage]:
    """Wait up to ``first_wait`` for a message, then collect for ``BATCH_WINDOW_SECONDS``."""
    batch: list[AbstractIncomingMessage] = []
    deadline = time.monotonic() + first_wait
    while not batch:
        if channel.is_closed or connection.is_closed:
            raise _ConnectionLost()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return []
        try:
            batch.append(await asyncio.wait_for(inbox.get(), timeout=min(remaining, 1.0)))
        except asyncio.TimeoutError:
            continue
    window_end = time.monotonic() + BATCH_WINDOW_SECONDS
    while len(batch) < batch_size:
        remaining = window_end - time.monotonic()
        if remaining <= 0:
            break
        try:
            batch.append(await asyncio.wait_for(inbox.get(), timeout=remaining))
        except asyncio.TimeoutError:
            break
    return batch


async def _consume_connection(
    connection: aio_pika.abc.AbstractConnection,
    store: AnalyticsStore,
    queue_name: str,
    stats: ConsumeStats,
    *,
    batch_size: int,
    once: bool,
    stop: asyncio.Event,
) -> None:
    channel = await _step(connection.channel())
    await _step(channel.set_qos(prefetch_count=batch_size))
    # The arguments Rasa's PikaEventBroker declares it with (a mismatch is a channel error).
    queue = await _step(channel.declare_queue(queue_name, durable=True))
    inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
    await _step(queue.consume(inbox.put, no_ack=False))
    while not stop.is_set():
        wait = IDLE_EXIT_SECONDS if once else 1.0
        batch = await _next_batch(inbox, connection, channel, batch_size, wait)
        if not batch:
            if once:
                return
            continue
        # The database write blocks; a thread keeps the AMQP heartbeats going meanwhile.
        events, inserted, skipped = await asyncio.to_thread(
            _ingest, store, [message.body for message in batch]
        )
        # Committed: now, and only now, RabbitMQ may forget the batch.
        await _step(batch[-1].ack(multiple=True))
        stats.add(events, inserted, skipped)


async def consume_rabbitmq(
    store: AnalyticsStore,
    url: str,
    queue_name: str,
    *,
    batch_size: int = 200,
    once: bool = False,
    stop: asyncio.Event | None = None,
) -> ConsumeStats:
    """Consume the durable queue until ``stop`` (``once``: until it stays empty)."""
    stop = stop or asyncio.Event()
    stats = ConsumeStats()
    attempt = 0
    while not stop.is_set():
        try:
            connection = await aio_pika.connect(url, timeout=10)
        except (OSError, asyncio.TimeoutError, *aio_pika.exceptions.CONNECTION_EXCEPTIONS) as error:
            attempt += 1
            stats.errors.append(type(error).__name__)
            logger.warning("RabbitMQ unreachable (%s); retrying", type(error).__name__)
            await _sleep(stop, _backoff(attempt))
            continue
        if attempt:
            stats.reconnects += 1
            logger.info("RabbitMQ connection is back")
        attempt = 0
        try:
            await _consume_connection(
                connection,
                store,
                queue_name,
                stats,
                batch_size=batch_size,
                once=once,
                stop=stop,
            )
            await _close_quietly(connection)
            if once:
                break
        except (OperationalError, DBAPIError) as error:
            # Not committed, not acknowledged: closing the connection requeues the batch.
            attempt += 1
            stats.errors.append(type(error.orig or error).__name__)
            logger.warning("Analytics commit failed (%s); batch requeued", type(error).__name__)
            await _close_quietly(connection)
            await _sleep(stop, _backoff(attempt))
        except (
            _ConnectionLost,
            OSError,
            asyncio.TimeoutError,
            *aio_pika.exceptions.CONNECTION_EXCEPTIONS,
        ) as error:
            attempt += 1
            stats.errors.append(type(error).__name__)
            logger.warning("RabbitMQ connection lost (%s); reconnecting", type(error).__name__)
            await _close_quietly(connection)
            await _sleep(stop, _backoff(attempt))
    return stats


async def _step(awaitable: Any) -> Any:
    """One AMQP round trip, bounded (``AMQP_STEP_SECONDS``): a hang becomes a reconnect."""
    return await asyncio.wait_for(awaitable, timeout=AMQP_STEP_SECONDS)


async def _close_quietly(connection: aio_pika.abc.AbstractConnection) -> None:
    # The connection is already broken: whatever closing it raises changes nothing.
    with contextlib.suppress(Exception):
        await asyncio.wait_for(connection.close(), timeout=5)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
