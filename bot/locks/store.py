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

A Redis ticket is a lease: it lives ``lock_lifetime_seconds`` (``DEFAULT_LOCK_LIFETIME_SECONDS``)
and the instance renews it every third of that while its turn waits or runs. So a ticket
outlives an instance that died holding it (``kill -9`` mid-turn, the machine gone) by at most
the lifetime, after which the same resident's next message, retried on the other instance,
runs; with Rasa's fixed 60 s that message waited as long as HAProxy's ``timeout server`` and
the resident saw nothing. A live turn, however long, keeps its lock (a fixed short lifetime
would let the next message run beside it), and a waiting message keeps its place. Expiry is
compared on the instances' wall clocks: keep them synchronised (NTP), as any lease needs. A
wait ends with Rasa's ``LockError`` after ``max_wait_seconds`` (default: HAProxy's 60 s
``timeout server``, after which nobody receives the answer), where Rasa's own loop could
poll for ever. The in-process lock keeps Rasa's lifetime: a process that dies takes it along.

Every write of a lock in Redis is atomic (RasaHQ/rasa#9213): Rasa's store issues a ticket by
reading the lock and writing it back, and frees one the same way, so two instances doing so at
the same moment overwrite each other's tickets and both run the resident's turns at once (a
test shows it losing 169 of 600 tickets). Here issuing and freeing are Lua scripts
(``ISSUE_SCRIPT``, ``CLEANUP_SCRIPT``) run by Redis as one step, on the same JSON Rasa
stores; the renewal is a WATCH transaction; nothing rewrites the lock from a copy read
earlier (Rasa's ``update_lock`` does, so it is not used here). That is also fewer round trips:
a turn that finds the conversation free costs two (issue, free) instead of Rasa's seven. A
Redis ACL user therefore needs ``+@scripting`` (denied, every call would count as an outage).

Configure it in the endpoints file with the same keys as ``type: redis`` (plus, optionally,
``retry_seconds``)::

    lock_store:
      type: bot.locks.store.DegradingRedisLockStore
      url: ${REDIS_HOST}
      ...
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_SOCKET_TIMEOUT_SECONDS = 1.0
DEFAULT_RETRY_SECONDS = 5.0
DEFAULT_LOCK_LIFETIME_SECONDS = 10.0
DEFAULT_MAX_WAIT_SECONDS = 60.0


#: The live tickets of the lock stored at KEYS[1], as Lua reads Rasa's format (a JSON object
#: whose ``tickets`` are JSON strings). Anything that is not such a lock, or a ticket without
#: a number and an expiry, counts as absent: the scripts then overwrite or delete it rather
#: than fail, since a failing script would look like a Redis outage to ``_redis``.
_LIVE_TICKETS = """
local function live_tickets(raw, now)
  local live, encoded = {}, {}
  if not raw then return live, encoded, nil end
  local ok, lock = pcall(cjson.decode, raw)
  if not ok or type(lock) ~= 'table' or type(lock.tickets) ~= 'table' then
    return live, encoded, nil
  end
  for _, text in ipairs(lock.tickets) do
    local fine, ticket = pcall(cjson.decode, text)
    if fine and type(ticket) == 'table' and type(ticket.number) == 'number'
        and type(ticket.expires) == 'number' and ticket.expires >= now then
      table.insert(live, ticket.number)
      table.insert(encoded, text)
    end
  end
  return live, encoded, lock.conversation_id
end
"""

#: Drop expired tickets, append the next one (Rasa's numbering: one past the last live ticket,
#: 0 when none is live), store the lock; returns the number and 1 if it is first in line.
ISSUE_SCRIPT = (
    _LIVE_TICKETS
    + """
local now, lifetime = tonumber(ARGV[1]), tonumber(ARGV[2])
local live, encoded = live_tickets(redis.call('GET', KEYS[1]), now)
local number = 0
if #live > 0 then number = live[#live] + 1 end
table.insert(encoded, cjson.encode({number = number, expires = now + lifetime}))
redis.call('SET', KEYS[1], cjson.encode({conversation_id = ARGV[3], tickets = encoded}))
if #live == 0 then return {number, 1} end
return {number, 0}
"""
)

#: Remove one ticket and the expired ones; delete the lock when no live ticket is left.
CLEANUP_SCRIPT = (
    _LIVE_TICKETS
    + """
local now, number = tonumber(ARGV[1]), tonumber(ARGV[2])
local live, encoded, conversation_id = live_tickets(redis.call('GET', KEYS[1]), now)
local keep = {}
for index, text in ipairs(encoded) do
  if live[index] ~= number then table.insert(keep, text) end
end
if #keep == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], cjson.encode({conversation_id = conversation_id, tickets = keep}))
end
return #keep
"""
)


def _outage_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


async def wait_for_ticket(
    store: LockStore,
    conversation_id: str,
    ticket: int,
    wait_time_in_seconds: float,
    max_wait_seconds: float = DEFAULT_MAX_WAIT_SECONDS,
) -> TicketLock:
    """Rasa's wait for a ticket's turn, bounded.

    Rasa's loop (``LockStore._acquire_lock``) ends only when the whole lock is gone: a waiting
    ticket that expired while another still stood waited for ever, the resident's request
    hanging and the store polled every second. Here the wait ends with Rasa's ``LockError``
    when the ticket is gone or after ``max_wait_seconds``."""
    deadline = time.monotonic() + max_wait_seconds
    while True:
        lock = store.get_lock(conversation_id)
        if not lock or not any(held.number == ticket for held in lock.tickets):
            raise LockError(f"Lock ticket of a conversation expired while waiting ({ticket})")
        if not lock.is_locked(ticket):
            return lock
        if time.monotonic() > deadline:
            raise LockError(f"Conversation still locked after {max_wait_seconds:g} s")
        await asyncio.sleep(wait_time_in_seconds)
        store.update_lock(conversation_id)


class _InProcessLockStore(InMemoryLockStore):
    """Rasa's in-memory lock store with the bounded wait (``wait_for_ticket``)."""

    def __init__(self, max_wait_seconds: float) -> None:
        super().__init__()
        self.max_wait_seconds = max_wait_seconds

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        return await wait_for_ticket(
            self, conversation_id, ticket, wait_time_in_seconds, self.max_wait_seconds
        )


class DegradingRedisLockStore(RedisLockStore):
    """Rasa's ``RedisLockStore`` on top of an in-process lock; Redis failing degrades to the
    latter (see the module docstring for why)."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        *,
        retry_seconds: float = DEFAULT_RETRY_SECONDS,
        lock_lifetime_seconds: float = DEFAULT_LOCK_LIFETIME_SECONDS,
        max_wait_seconds: float = DEFAULT_MAX_WAIT_SECONDS,
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
            max_wait_seconds = float(options.pop("max_wait_seconds", max_wait_seconds))
            kwargs = {"host": endpoint_config.url or "localhost", **options, **kwargs}
        kwargs.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT_SECONDS)
        super().__init__(**kwargs)
        self.local = _InProcessLockStore(max_wait_seconds)
        self.retry_seconds = retry_seconds
        self.lock_lifetime = lock_lifetime_seconds
        self.max_wait_seconds = max_wait_seconds
        self._clock = clock
        self._retry_at: float | None = None  # set while Redis is considered down
        self._issue_script = self.red.register_script(ISSUE_SCRIPT)
        self._cleanup_script = self.red.register_script(CLEANUP_SCRIPT)

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
        configured one applies to the Redis ticket, renewed while this turn waits and runs."""
        lease = lock_lifetime or self.lock_lifetime
        async with self.local.lock(conversation_id, LOCK_LIFETIME, wait_time_in_seconds) as held:
            issued = self._redis(lambda: self._issue(conversation_id, lease))
            if issued is None:
                yield held
                return
            ticket, first = issued
            renewal = asyncio.get_running_loop().create_task(
                self._keep_renewing(conversation_id, ticket, lease)
            )
            try:
                if first:  # the common case: nobody else holds the conversation, no more reads
                    yield held
                else:
                    shared = await self._acquire_shared(
                        conversation_id, ticket, wait_time_in_seconds
                    )
                    yield shared or held
            finally:
                renewal.cancel()
                with suppress(asyncio.CancelledError):
                    await renewal
                # Always tried, even just after an outage elsewhere: a ticket left behind in a
                # Redis that answers would hold this conversation's next turns for the lock's
                # lifetime. If Redis is down it expires by itself (or died with Redis).
                self._redis(lambda: self.cleanup(conversation_id, ticket), force=True)

    def _issue(self, conversation_id: str, lease: float) -> tuple[int, bool]:
        """A ticket for the conversation, issued atomically (``ISSUE_SCRIPT``), and whether it
        is first in line."""
        number, first = self._issue_script(
            keys=[self.key_prefix + conversation_id], args=[time.time(), lease, conversation_id]
        )
        return int(number), bool(first)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Rasa's ``issue_ticket`` (the same ``LockError`` on failure), atomic."""
        try:
            return self._issue(conversation_id, lock_lifetime)[0]
        except Exception as error:
            raise LockError(
                f"Could not issue a ticket for a conversation: {type(error).__name__}"
            ) from error

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Rasa's ``cleanup`` (free this ticket, delete the lock if nobody waits), atomic."""
        self._cleanup_script(
            keys=[self.key_prefix + conversation_id], args=[time.time(), ticket_number]
        )

    def update_lock(self, conversation_id: str) -> None:
        """Nothing: Rasa's version writes back a copy of the lock read a moment earlier, which
        can erase a ticket another instance issued meanwhile. Readers ignore expired tickets
        and the scripts above drop them."""

    async def _keep_renewing(self, conversation_id: str, ticket: int, lease: float) -> None:
        """Push this ticket's expiry ``lease`` ahead every third of it (see the module
        docstring: a lease, so that only a dead instance's ticket runs out)."""
        while True:
            await asyncio.sleep(lease / 3)
            self._redis(lambda: self._renew(conversation_id, ticket, lease))

    def _renew(self, conversation_id: str, ticket: int, lease: float) -> None:
        """Read, extend, write under WATCH: if another instance writes the lock meanwhile (a
        ticket of its own), the renewal is redone on its version instead of erasing it."""
        key = self.key_prefix + conversation_id

        def extend(pipe: Any) -> None:
            stored = pipe.get(key)
            if not stored:
                return
            lock = TicketLock.from_dict(json.loads(stored))
            for held in lock.tickets:
                if held.number == ticket:
                    held.expires = time.time() + lease
                    pipe.multi()
                    pipe.set(key, lock.dumps())
                    return

        self.red.transaction(extend, key)

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
        return await wait_for_ticket(
            self, conversation_id, ticket, wait_time_in_seconds, self.max_wait_seconds
        )

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
