"""Stores that remember which LINE webhook events were already handled.

LINE redelivers an event (``deliveryContext.isRedelivery``) with the same ``webhookEventId``
when it thinks the first delivery failed. Handling it twice would send the resident the same
answer twice and could file a consultation twice, so each id is *claimed* once. The store is
an interface so that several bot instances behind a load balancer can share one Redis; a
single instance can use the in-process store.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from bot.redisutil import DEFAULT_TIMEOUT_SECONDS, FailOpen, close_quietly, connect

logger = logging.getLogger(__name__)


@runtime_checkable
class ClaimStore(Protocol):
    """Remembers keys for a while; the first caller to claim a key wins."""

    async def claim(self, key: str, ttl_seconds: float) -> bool:
        """Return True if ``key`` was not claimed within its TTL (and claim it now)."""
        ...


class InMemoryClaimStore:
    """Bounded, TTL'd, least-recently-used set of keys for one process.

    Bounded so a flood of events cannot grow memory without limit; when full, the oldest
    claims are forgotten first (they are also the ones LINE is least likely to redeliver).
    """

    def __init__(self, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic):
        if max_keys < 1:
            raise ValueError("max_keys must be positive")
        self._max_keys = max_keys
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._expiry)

    async def claim(self, key: str, ttl_seconds: float) -> bool:
        now = self._clock()
        expires = self._expiry.get(key)
        if expires is not None and expires > now:
            return False
        self._expiry[key] = now + ttl_seconds
        self._expiry.move_to_end(key)
        self._evict(now)
        return True

    def _evict(self, now: float) -> None:
        # Drop expired keys from the old end first, then trim to the bound.
        while self._expiry:
            oldest_key, oldest_expiry = next(iter(self._expiry.items()))
            if oldest_expiry > now and len(self._expiry) <= self._max_keys:
                break
            del self._expiry[oldest_key]


class RedisClaimStore:
    """Claims shared between processes through Redis ``SET key 1 NX EX ttl``.

    ``SET NX`` is atomic in Redis, so exactly one instance wins a claim even when LINE's
    redelivery reaches a different instance than the first delivery.

    If Redis fails (refused, hung, timed out) the claim *succeeds*: the event is handled
    anyway. A rare duplicate answer after a redelivery is far better than silence to a
    resident in crisis (``bot.redisutil.FailOpen``: bounded calls, outage and recovery each
    logged once, no keys or user data).
    """

    def __init__(
        self,
        client: Any,
        prefix: str = "intake:line:",
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        """``client`` is a ``redis.asyncio.Redis`` (typed loosely: redis ships no stubs)."""
        self._client = client
        self._prefix = prefix
        self._fail_open = FailOpen(
            logger,
            "LINE redelivery check",
            "handling every event without it",
            timeout_seconds=timeout_seconds,
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        prefix: str = "intake:line:",
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> RedisClaimStore:
        """Build a store from a ``redis://`` URL (the caller owns the URL, e.g. settings)."""
        return cls(connect(url, timeout_seconds), prefix=prefix, timeout_seconds=timeout_seconds)

    async def claim(self, key: str, ttl_seconds: float) -> bool:
        ttl = max(1, int(round(ttl_seconds)))
        result = await self._fail_open.call(
            lambda: self._client.set(self._prefix + key, b"1", nx=True, ex=ttl),
            fallback=True,
            what="claim",
        )
        return bool(result)

    async def close(self) -> None:
        """Close the connection pool (call on shutdown)."""
        await close_quietly(self._client, logger)
