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
  process without limit) and logs an error per event. Here at most
  ``max_unpublished_events`` wait (the oldest are dropped beyond that, counted and logged), an
  outage is one warning and its end one more, and a publish that hangs (a half-dead
  connection) gives up after ``publish_timeout_seconds`` and keeps its event.

What waits is in this process's memory only: an instance that dies during an outage loses the
analytics events it held (tickets never depend on this: they go through the outbox). A
republished event may reach RabbitMQ twice (sent, then timed out before the confirmation);
the consumer stores each event once (``event_key``).

Configure it with the keys of ``type: pika``, and optionally the two bounds::

    event_broker:
      type: bot.analytics.rabbitmq_broker.DegradingPikaEventBroker
      url: ${RABBITMQ_HOST}
      ...
      max_unpublished_events: 50000
      publish_timeout_seconds: 10
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from rasa.core.brokers.pika import PikaEventBroker

logger = logging.getLogger(__name__)

__all__ = ["DegradingPikaEventBroker"]

# ~1–3 KB an event and ~12 events a turn: 50,000 events are a few thousand turns, ~100 MB at most.
DEFAULT_MAX_UNPUBLISHED = 50_000
DEFAULT_PUBLISH_TIMEOUT_SECONDS = 10.0
RECONNECT_MIN_SECONDS = 1.0
RECONNECT_MAX_SECONDS = 30.0


class DegradingPikaEventBroker(PikaEventBroker):
    """``PikaEventBroker`` that starts without RabbitMQ and keeps a bounded backlog (see the
    module docstring for why)."""

    def __init__(
        self,
        *args: Any,
        max_unpublished_events: int = DEFAULT_MAX_UNPUBLISHED,
        publish_timeout_seconds: float = DEFAULT_PUBLISH_TIMEOUT_SECONDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._unpublished_events: deque[dict[str, Any]] = deque(
            maxlen=max(1, int(max_unpublished_events))
        )
        self._publish_timeout = float(publish_timeout_seconds)
        # One attempt per try: retrying is this class's job, in the background, not Rasa's 20
        # attempts 5 s apart that hold the server's start.
        self._connection_attempts = 1
        self._retry_delay_in_seconds = 0  # Rasa waits this long after a failed last attempt too
        self._in_outage = False
        self._dropped = 0
        self._reconnector: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Events kept in memory until RabbitMQ takes them."""
        return len(self._unpublished_events)

    async def connect(self) -> None:
        """One attempt now; if RabbitMQ does not answer, keep trying in the background."""
        try:
            await super().connect()
        except Exception as error:  # noqa: BLE001 - any failure to connect means "not yet"
            self._outage(error)
            await self._drop_connection()
            self._reconnector = self._loop.create_task(self._keep_connecting())

    async def _keep_connecting(self) -> None:
        delay = RECONNECT_MIN_SECONDS
        while True:
            await asyncio.sleep(delay)
            try:
                await super().connect()
            except Exception:  # noqa: BLE001 - still down; the outage is already logged
                await self._drop_connection()
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
                continue
            self._recovered()
            self._publish_unpublished_messages()
            return

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

    async def _publish(self, event: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        if self._exchange is None:
            self._keep(event)
            return
        try:
            await asyncio.wait_for(
                self._exchange.publish(self._message(event, headers), ""), self._publish_timeout
            )
        except Exception as error:  # noqa: BLE001 - whatever failed, the event waits
            self._outage(error)
            self._keep(event)
            return
        if self._in_outage:
            self._recovered()
        if self._unpublished_events:
            # Normally the connection's reconnect callback sends them; a publish that only
            # timed out leaves no reconnect behind, so the next success sends them too.
            self._publish_unpublished_messages()

    def _keep(self, event: dict[str, Any]) -> None:
        if len(self._unpublished_events) == self._unpublished_events.maxlen:
            if self._dropped == 0:
                logger.warning(
                    "Analytics events: %d are waiting for RabbitMQ, the most kept; the oldest "
                    "are dropped from now on",
                    self._unpublished_events.maxlen,
                )
            self._dropped += 1
        self._unpublished_events.append(event)

    def _outage(self, error: BaseException) -> None:
        if not self._in_outage:
            self._in_outage = True
            logger.warning(
                "RabbitMQ unavailable (%s): conversations go on, analytics events wait in "
                "memory (at most %d) and are published when it answers again",
                type(error).__name__,
                self._unpublished_events.maxlen,
            )

    def _recovered(self) -> None:
        logger.warning(
            "RabbitMQ reachable again: publishing %d waiting analytics events (%d dropped)",
            len(self._unpublished_events),
            self._dropped,
        )
        self._in_outage = False
        self._dropped = 0

    async def close(self) -> None:
        if self._reconnector is not None:
            self._reconnector.cancel()
        await super().close()
