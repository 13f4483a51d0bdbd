"""A Redis lock store that keeps conversations going when Redis is down.

Why: Rasa takes a per-conversation lock around every turn. With ``lock_store: type: redis``
a refused or hung Redis makes ``issue_ticket`` raise ``LockError`` *before* the turn starts,
so every resident on every instance gets no answer until Redis is back (the REST channel
answers ``[]``, LINE sends its "temporary failure" note). The lock only orders one
conversation's messages; losing it for a while is far better than silence.

How: every turn first takes an in-process lock (Rasa's ``InMemoryLockStore``), then, when
Redis answers, the shared Redis lock as before. In the scaled layout HAProxy routes each sender
to one instance (``deploy/haproxy.cfg``), so the in-process lock alone already orders a
conversation; Redis adds safety for the rare request that reaches another instance (a
redispatch). When Redis fails the turn runs under the in-process lock only:

* the outage is logged once, as a warning, with the error's type only (never a conversation
  id, the URL or anything a resident wrote), and the recovery once when Redis answers again;
* while it is down Redis is tried again at most every ``retry_seconds`` (a blackholed Redis
  would otherwise stall the event loop for a socket timeout on every turn: redis-py here is
  synchronous, as in Rasa's own store);
* the socket timeout defaults to ``DEFAULT_SOCKET_TIMEOUT_SECONDS`` instead of Rasa's 10 s.

A lock's lifetime is ``lock_lifetime_seconds`` (``DEFAULT_LOCK_LIFETIME_SECONDS``), not Rasa's
60 s. The lifetime is how long a ticket outlives an instance that died holding it (``kill -9``
mid-turn, or the machine gone): the same resident's next message, now on the other instance,
waits for it. With 60 s that message waited as long as HAProxy's ``timeout server`` and the
resident saw nothing. A turn takes well under a second (bench/results.md: p99 ~1 s at
saturation on a slow 2-core machine), so 10 s still covers any turn that is not already a
failure; a turn that runs longer loses its lock, and only a second message of the same
resident sent meanwhile could then run beside it.

Configure it in the endpoints file with the same keys as ``type: redis`` (plus, optionally,
``retry_seconds``)::

    lock_store:
      type: bot.locks.store.DegradingRedisLockStore
      url: ${REDIS_HOST}
      ...
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_SOCKET_TIMEOUT_SECONDS = 1.0
DEFAULT_RETRY_SECONDS = 5.0
DEFAULT_LOCK_LIFETIME_SECONDS = 10.0


def _outage_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


async def wait_for_ticket(
    store: LockStore, conversation_id: str, ticket: int, wait_time_in_seconds: float
) -> TicketLock:
    """Rasa's wait for a ticket's turn, ending when the ticket itself has expired.

    Rasa's loop (``LockStore._acquire_lock``) ends only when the whole lock is gone: a waiting
    ticket that expires while another still stands (a long turn, or a dead instance's ticket,
    issued moments before with the same lifetime) waits for ever, the resident's request
    hanging and the store polled every second. Here the wait ends with Rasa's ``LockError``
    once the ticket is no longer in the lock."""
    while True:
        lock = store.get_lock(conversation_id)
        if not lock or not any(held.number == ticket for held in lock.tickets):
            raise LockError(f"Lock ticket of a conversation expired while waiting ({ticket})")
        if not lock.is_locked(ticket):
            return lock
        await asyncio.sleep(wait_time_in_seconds)
        store.update_lock(conversation_id)


class _InProcessLockStore(InMemoryLockStore):
    """Rasa's in-memory lock store with the bounded wait (``wait_for_ticket``)."""

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        return await wait_for_ticket(self, conversation_id, ticket, wait_time_in_seconds)


class DegradingRedisLockStore(RedisLockStore):
    """Rasa's ``RedisLockStore`` on top of an in-process lock; Redis failing degrades to the
    latter (see the module docstring for why)."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        *,
        retry_seconds: float = DEFAULT_RETRY_SECONDS,
        lock_lifetime_seconds: float = DEFAULT_LOCK_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        """Rasa passes ``endpoint_config`` (the ``lock_store`` section); tests may pass
        ``RedisLockStore``'s keyword arguments (``host``, ``port``, ``db``...) directly."""
        if endpoint_config is not None:
            options = dict(endpoint_config.kwargs)
            retry_seconds = float(options.pop("retry_seconds", retry_seconds))
            lock_lifetime_seconds = float(
                options.pop("lock_lifetime_seconds", lock_lifetime_seconds)
            )
            kwargs = {"host": endpoint_config.url or "localhost", **options, **kwargs}
        kwargs.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT_SECONDS)
        super().__init__(**kwargs)
        self.local = _InProcessLockStore()
        self.retry_seconds = retry_seconds
        self.lock_lifetime = lock_lifetime_seconds
        self._clock = clock
        self._retry_at: float | None = None  # set while Redis is considered down

    @property
    def degraded(self) -> bool:
        """Whether Redis is currently considered down (turns use the in-process lock only)."""
        return self._retry_at is not None

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float | None = None,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """The in-process lock, then the Redis lock if Redis answers (same contract as Rasa's:
        ``LockError`` if the lock expired while waiting). Rasa passes no lifetime: the
        configured one applies."""
        lock_lifetime = lock_lifetime or self.lock_lifetime
        async with self.local.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as held:
            ticket = self._redis(lambda: self.issue_ticket(conversation_id, lock_lifetime))
            if ticket is None:
                yield held
                return
            try:
                shared = await self._acquire_shared(conversation_id, ticket, wait_time_in_seconds)
                yield shared or held
            finally:
                # Always tried, even just after an outage elsewhere: a ticket left behind in a
                # Redis that answers would hold this conversation's next turns for the lock's
                # lifetime. If Redis is down it expires by itself (or died with Redis).
                self._redis(lambda: self.cleanup(conversation_id, ticket), force=True)

    async def _acquire_shared(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock | None:
        """Rasa's wait for our Redis ticket; ``None`` if Redis fails meanwhile."""
        try:
            return await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        except _outage_errors() as error:
            self._went_down(error)
            return None

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        return await wait_for_ticket(self, conversation_id, ticket, wait_time_in_seconds)

    def _redis(self, call: Callable[[], T], *, force: bool = False) -> T | None:
        """``call()`` against Redis, or ``None`` if Redis is down (or was, moments ago, unless
        ``force``)."""
        if not force and self._retry_at is not None and self._clock() < self._retry_at:
            return None
        try:
            result = call()
        except LockError as error:  # issue_ticket wraps every error in LockError
            if not isinstance(error.__context__, _outage_errors()):
                raise
            self._went_down(error.__context__)
            return None
        except _outage_errors() as error:
            self._went_down(error)
            return None
        if self._retry_at is not None:
            self._retry_at = None
            logger.warning("Redis lock store reachable again; conversations locked in Redis")
        return result

    def _went_down(self, error: BaseException) -> None:
        if self._retry_at is None:
            logger.warning(
                "Redis lock store unavailable (%s); each conversation is locked in this "
                "process only until Redis is back",
                type(error).__name__,
            )
        self._retry_at = self._clock() + self.retry_seconds
