"""Rasa's RabbitMQ event broker, made to start, and to keep events, while RabbitMQ is down.

Why: analytics are fed by Rasa's ``pika`` broker (``endpoints.production.yml``). Measured with
a RabbitMQ node killed mid-conversation (tests/faults/test_rabbitmq_down.py), Rasa's own class
already keeps answering and republishes the events it could not send once its connection is
back. Two gaps remain, and this class closes them:

* **Start.** With RabbitMQ unreachable, ``rasa run`` tried 20 times 5 s and then exited
  ("Cannot connect to event broker"): an instance restarted during a RabbitMQ outage (a
  deploy, a crash, a machine reboot) did not come back, and residents of that instance got
  nothing. Here a failed first connection is logged once and retried in the background with
  backoff; the bot answers meanwhile, and the events wait.
* **Bounds and noise.** Rasa keeps unsent events in an unbounded list (a long outage grows the
  process without limit), logs an error per event and per connection attempt, and on
  reconnecting starts one publish task per waiting event at once. Here at most
  ``max_unpublished_events`` wait (the oldest are dropped beyond that, counted and logged);
  one task drains them in order, one publish at a time, stopping at the first failure (so a
  slow broker does not get tens of thousands of timed-out, re-sent copies), and new events
  queue behind them; an outage is one warning and its end one more (aio-pika's own robust
  connection, left alone, adds a warning every 5 s for as long as the outage lasts: its
  reconnect chatter below ERROR is filtered out, ``_AioPikaReconnectChatter``, and so are
  asyncio's tracebacks of the copies of the connection error aiormq leaves in futures nobody
  awaits, ``_AiormqOrphanedConnectionErrors``); a connection
  attempt or a publish that hangs (a frozen node, a firewall dropping packets) gives up after
  ``connect_timeout_seconds`` / ``publish_timeout_seconds``.
* **Shutdown.** Rasa's ``close`` drops what is in flight without a word. Here it waits a
  little for the backlog and logs how many events it could not send.
* **One message a turn.** Rasa publishes each event as a message of its own, each confirmed
  by RabbitMQ, consumed and acknowledged on its own: ~12 a turn. The tracker store
  (``bot.trackers.store.publish_batch``) hands a turn's events over at once, and
  ``publish_many`` sends them as one message, a JSON array in order: 300 turns of 12 events
  published with confirms to the machine's RabbitMQ took 0.7–0.8 ms of this process's CPU a
  turn instead of 3.1–4.8 ms, and RabbitMQ and the consumer handle one delivery instead of
  twelve. The consumer (``bot.analytics.sources.decode_events``), this queue's only reader,
  reads both shapes; ``publish`` of one event still sends Rasa's own. Upgrading, deploy the
  consumer first: an older one acknowledged an array as a malformed message and dropped it.

What waits is in this process's memory only: an instance that dies during an outage loses the
analytics events it held (tickets never depend on this: they go through the outbox). A
republished event may reach RabbitMQ twice (sent, then timed out before the confirmation);
the consumer stores each event once (``event_key``).

Configure it with the keys of ``type: pika``, and optionally the bounds::

    event_broker:
      type: bot.analytics.rabbitmq_broker.DegradingPikaEventBroker
      url: ${RABBITMQ_HOST}
      ...
      max_unpublished_events: 50000     # counted in events, whole turns dropped
      publish_timeout_seconds: 10
      connect_timeout_seconds: 5
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import Sequence
from typing import Any

import aio_pika
import aiormq
from rasa.core.brokers.pika import PikaEventBroker, _create_rabbitmq_ssl_options

logger = logging.getLogger(__name__)

__all__ = ["DegradingPikaEventBroker"]

# One message's content: Rasa's single event, or a turn's events (``publish_many``).
Payload = dict[str, Any] | list[dict[str, Any]]

# ~1–3 KB an event and ~12 events a turn: 50,000 events are a few thousand turns, ~100 MB at most.
DEFAULT_MAX_UNPUBLISHED = 50_000
DEFAULT_PUBLISH_TIMEOUT_SECONDS = 10.0
DEFAULT_CONNECT_TIMEOUT_SECONDS = 5.0
RECONNECT_MIN_SECONDS = 1.0
RECONNECT_MAX_SECONDS = 30.0
CLOSE_WAIT_SECONDS = 5.0


class _AioPikaReconnectChatter(logging.Filter):
    """Drops aio-pika's robust-connection lines below ERROR ("Connection attempt ... failed.
    Reconnecting after 5 seconds.", every 5 s of an outage): the broker logs the outage and
    its end itself, once each. Its errors (a channel that cannot be reopened) still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR


class _AiormqOrphanedConnectionErrors(logging.Filter):
    """Drops asyncio's "Future exception was never retrieved" for a connection error that
    went through aiormq: when RabbitMQ dies, aiormq hands the same error to the publish that
    met it (which keeps its events and logs the outage) and leaves a copy in an internal
    future nobody awaits. Left alone, every outage adds one to three ERROR tracebacks, after
    the fact and in no order, which on-call staff would take for a bug in the bot. Any other
    never-retrieved exception still passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith("Future exception was never retrieved"):
            return True
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, (ConnectionError, aiormq.exceptions.AMQPConnectionError)):
            return True
        return not _passed_through_aiormq(error)


def _passed_through_aiormq(error: BaseException) -> bool:
    traceback = error.__traceback__
    while traceback is not None:
        if f"{os.sep}aiormq{os.sep}" in traceback.tb_frame.f_code.co_filename:
            return True
        traceback = traceback.tb_next
    return False


def _quiet_aio_pika_reconnects() -> None:
    robust = logging.getLogger("aio_pika.robust_connection")
    if not any(isinstance(f, _AioPikaReconnectChatter) for f in robust.filters):
        robust.addFilter(_AioPikaReconnectChatter())
    loop_log = logging.getLogger("asyncio")
    if not any(isinstance(f, _AiormqOrphanedConnectionErrors) for f in loop_log.filters):
        loop_log.addFilter(_AiormqOrphanedConnectionErrors())


class DegradingPikaEventBroker(PikaEventBroker):
    """``PikaEventBroker`` that starts without RabbitMQ and keeps a bounded backlog (see the
    module docstring for why)."""

    def __init__(
        self,
        *args: Any,
        max_unpublished_events: int = DEFAULT_MAX_UNPUBLISHED,
        publish_timeout_seconds: float = DEFAULT_PUBLISH_TIMEOUT_SECONDS,
        connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _quiet_aio_pika_reconnects()
        self._unpublished_events: deque[Payload] = deque()
        self._max_waiting = max(1, int(max_unpublished_events))
        self._waiting_events = 0
        self._publish_timeout = float(publish_timeout_seconds)
        self._connect_timeout = float(connect_timeout_seconds)
        self._in_outage = False
        self._dropped = 0
        self._reconnector: asyncio.Task[None] | None = None
        self._drainer: asyncio.Task[None] | None = None
        self._sending: Payload | None = None  # the head of the line while ``_drain`` sends it

    @property
    def waiting(self) -> int:
        """Events kept in memory until RabbitMQ takes them."""
        return self._waiting_events

    # -- connecting ------------------------------------------------------------------------

    async def _connect(self) -> aio_pika.abc.AbstractRobustConnection:
        """One attempt, bounded in time, logging nothing: Rasa's own makes 20 attempts 5 s
        apart, each failure an error line, and waits as long as the handshake does."""
        ssl_options = _create_rabbitmq_ssl_options(self.host)
        connection = await asyncio.wait_for(
            aio_pika.connect_robust(
                url=self._configure_url(),
                host=self.host,
                port=self.port,
                password=self.password,
                login=self.username,
                loop=self._loop,
                ssl=ssl_options is not None,
                ssl_options=ssl_options,
            ),
            self._connect_timeout,
        )
        return connection

    async def connect(self) -> None:
        """One attempt now; if RabbitMQ does not answer, keep trying in the background."""
        if await self._try_connect():
            return
        if self._reconnector is None or self._reconnector.done():
            self._reconnector = self._loop.create_task(self._keep_connecting())

    async def _try_connect(self) -> bool:
        try:
            await asyncio.wait_for(super().connect(), self._connect_timeout * 2)
        except Exception as error:  # noqa: BLE001 - any failure to connect means "not yet"
            self._outage(error)
            await self._drop_connection()
            return False
        return True

    async def _keep_connecting(self) -> None:
        """Retry after a pause each time (``connect`` has just made an attempt), doubling it."""
        delay = RECONNECT_MIN_SECONDS
        while True:
            await asyncio.sleep(delay)
            if await self._try_connect():
                break
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)
        self._publish_unpublished_messages()

    async def _drop_connection(self) -> None:
        """A connection opened before its channel or exchange failed must not linger (a robust
        connection would keep reconnecting on its own beside the next attempt's)."""
        # Rasa's attribute, typed there in a way mypy cannot follow.
        connection: Any = self._connection  # type: ignore[has-type]
        self._connection, self._exchange = None, None
        if connection is not None:
            try:
                await asyncio.wait_for(connection.close(), self._publish_timeout)
            except Exception:  # noqa: BLE001 - it is being discarded anyway
                logger.debug("RabbitMQ: a half-opened connection did not close cleanly")

    # -- publishing ------------------------------------------------------------------------

    def publish_many(self, events: Sequence[dict[str, Any]]) -> None:
        """A turn's events, in order, as one message (see the module docstring for why)."""
        if not events:
            return
        task = self._loop.create_task(self._publish(list(events)))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    async def _publish(self, payload: Payload, headers: dict[str, str] | None = None) -> None:
        if self._exchange is None or self._unpublished_events:
            # Behind the events already waiting: they go first, in order.
            self._keep(payload)
            self._publish_unpublished_messages()
            return
        try:
            await self._send(payload, headers)
        except Exception as error:  # noqa: BLE001 - whatever failed, the events wait
            self._outage(error)
            self._keep(payload)
            return
        if self._in_outage:
            self._recovered()

    async def _send(self, payload: Payload, headers: dict[str, str] | None = None) -> None:
        if self._exchange is None:
            raise ConnectionError("no RabbitMQ exchange")
        # Rasa's own message (persistent, its app id); its JSON body takes a turn's list too.
        message = self._message(payload, headers)
        await asyncio.wait_for(self._exchange.publish(message, ""), self._publish_timeout)

    def _publish_unpublished_messages(self, *_: Any, **__: Any) -> None:
        """Start the one task that sends the waiting events (Rasa's version, also the robust
        connection's reconnect callback, starts a task per event)."""
        if self._exchange is None or not self._unpublished_events:
            return
        if self._drainer is None or self._drainer.done():
            self._drainer = self._loop.create_task(self._drain())

    async def _drain(self) -> None:
        while self._unpublished_events:
            payload = self._unpublished_events[0]
            self._sending = payload
            try:
                await self._send(payload)
            except Exception as error:  # noqa: BLE001 - it stays at the head of the line
                self._outage(error)
                return
            finally:
                self._sending = None
            # Still the head: ``_keep`` never drops the message being sent.
            self._unpublished_events.popleft()
            self._waiting_events -= _event_count(payload)
        if self._in_outage:
            self._recovered()

    def _keep(self, payload: Payload) -> None:
        """Wait in line; past the bound, the oldest messages go: whole turns, never the one
        being sent at that moment (it may be delivered), and never the newest, however large."""
        self._unpublished_events.append(payload)
        self._waiting_events += _event_count(payload)
        while self._waiting_events > self._max_waiting:
            oldest = 1 if self._unpublished_events[0] is self._sending else 0
            if oldest >= len(self._unpublished_events) - 1:
                break
            if self._dropped == 0:
                logger.warning(
                    "Analytics events: %d are waiting for RabbitMQ, the most kept; the oldest "
                    "are dropped from now on",
                    self._max_waiting,
                )
            dropped = _event_count(self._unpublished_events[oldest])
            del self._unpublished_events[oldest]
            self._waiting_events -= dropped
            self._dropped += dropped

    # -- logging -----------------------------------------------------------------------------

    def _outage(self, error: BaseException) -> None:
        if not self._in_outage:
            self._in_outage = True
            logger.warning(
                "RabbitMQ unavailable (%s): conversations go on, analytics events wait in "
                "memory (at most %d) and are published when it answers again",
                type(error).__name__,
                self._max_waiting,
            )

    def _recovered(self) -> None:
        logger.warning(
            "RabbitMQ reachable again: the waiting analytics events are published (%d dropped "
            "while it was away)",
            self._dropped,
        )
        self._in_outage = False
        self._dropped = 0

    async def close(self) -> None:
        """Stop reconnecting, give the backlog a moment, say what could not be sent."""
        if self._reconnector is not None:
            self._reconnector.cancel()
        pending = [task for task in (self._drainer, *self._background_tasks) if task]
        if pending:
            await asyncio.wait(pending, timeout=CLOSE_WAIT_SECONDS)
        if self._unpublished_events:
            logger.warning(
                "Shutting down with %d analytics events not published to RabbitMQ",
                self._waiting_events,
            )
        await super().close()


def _event_count(payload: Payload) -> int:
    return len(payload) if isinstance(payload, list) else 1
