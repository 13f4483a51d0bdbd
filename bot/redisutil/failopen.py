"""One fail-open wrapper for every optional use of Redis.

Why fail open: everything this project keeps in Redis (redelivery claims, rate counters,
offered buttons) only refines the answer to a resident. When Redis is refused, hung or slow,
the caller gets its fallback (process the event, let the message through, use the local copy)
at once: a rare duplicate or an unlimited minute beats silence to a resident in crisis.

Why bounded twice: the client's socket timeouts (``connect``) cut off a refused or silent
connection and let redis-py close it cleanly; ``asyncio.wait_for`` at ``CALL_TIMEOUT_FACTOR``
times that (a connect plus a read, with room to spare, so the socket timeouts normally fire
first) catches a hang they cannot see, e.g. waiting for a connection from the pool.

The outage is logged once, when it starts, and the recovery once, when it ends, both as
warnings so that whoever is alerted to the first also sees the second. Lines carry the error's
type only: never the URL (it may hold a password), keys or anything a resident wrote.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

# A local Redis answers in well under a millisecond; a resident must never wait on a dead one.
DEFAULT_TIMEOUT_SECONDS = 0.5
CALL_TIMEOUT_FACTOR = 4


def connect(url: str, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> Any:
    """A ``redis.asyncio.Redis`` for ``url`` with connect and read timeouts.

    Typed loosely: redis ships no type stubs. The URL is the caller's (from settings) and is
    never logged here.
    """
    import redis.asyncio as redis_asyncio

    return redis_asyncio.from_url(
        url, socket_connect_timeout=timeout_seconds, socket_timeout=timeout_seconds
    )


def _outage_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError, asyncio.TimeoutError)


class FailOpen:
    """Runs Redis calls for one feature; on failure returns the fallback and logs the outage.

    ``feature`` names the feature in log lines (``"LINE redelivery check"``) and
    ``degraded`` says what happens meanwhile (``"handling every event"``).
    """

    def __init__(
        self,
        logger: logging.Logger,
        feature: str,
        degraded: str,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._log = logger
        self._feature = feature
        self._degraded = degraded
        self._call_timeout = CALL_TIMEOUT_FACTOR * timeout_seconds
        self.failing = False

    async def call(self, make: Callable[[], Awaitable[T]], fallback: T, what: str) -> T:
        """``await make()`` within the time bound, or ``fallback`` when Redis fails.

        ``what`` names the operation (``"claim"``) in the outage line; it must hold no key.
        """
        try:
            result = await asyncio.wait_for(make(), self._call_timeout)
        except _outage_errors() as error:
            if not self.failing:
                self.failing = True
                self._log.warning(
                    "%s: Redis unavailable (%s during %s); %s until it is back",
                    self._feature,
                    type(error).__name__,
                    what,
                    self._degraded,
                )
            return fallback
        if self.failing:
            self.failing = False
            self._log.warning("%s: Redis reachable again; resumed", self._feature)
        return result


async def close_quietly(client: Any, logger: logging.Logger) -> None:
    """Close a client's pool on shutdown; a dead Redis must not break the shutdown."""
    try:
        await client.close()
    except Exception:
        logger.debug("closing the Redis client failed", exc_info=True)
