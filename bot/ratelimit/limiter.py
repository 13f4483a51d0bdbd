"""Fixed-window counters: how many messages one key (a sender, an address) sent recently.

Why a fixed window that starts at the key's first message: it needs one atomic ``INCR`` in
Redis, it is easy to explain to staff ("20 messages in a minute, then a pause"), and its only
weakness (up to twice the limit across a window edge) does not matter for slowing a flood
down. Two implementations share one interface: ``InMemoryRateLimiter`` for a single process
(the default) and ``RedisRateLimiter`` when several instances must count together.

A limiter must never become the reason a resident gets no answer: when Redis fails, the
Redis limiter lets the message through (fail open, ``bot.redisutil.FailOpen``, with short
timeouts: a limiter waiting on a dead Redis would itself be the flood's victim).
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from bot.redisutil import FailOpen, close_quietly, connect

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per ``window_seconds``."""

    count: int
    window_seconds: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.window_seconds <= 0:
            raise ValueError("a limit needs a positive count and window")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one hit.

    ``first_refusal`` is true for exactly one refused hit per window: the one that earns the
    polite slow-down reply (later refusals in the same window stay quiet on LINE).
    """

    allowed: bool
    count: int
    retry_after: float
    first_refusal: bool = False


def verdict_for(count: int, limit: Limit, retry_after: float) -> Verdict:
    return Verdict(
        allowed=count <= limit.count,
        count=count,
        retry_after=max(0.0, retry_after),
        first_refusal=count == limit.count + 1,
    )


@runtime_checkable
class RateLimiter(Protocol):
    """Counts a hit for ``key`` and says whether it is within ``limit``."""

    async def hit(self, key: str, limit: Limit) -> Verdict: ...

    async def close(self) -> None: ...


class InMemoryRateLimiter:
    """Counters for one process, bounded so a flood of new keys cannot grow memory forever.

    When full, the least recently used counters are forgotten first: a forgotten counter
    starts again at zero, which errs on the side of answering.
    """

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic):
        if max_keys < 1:
            raise ValueError("max_keys must be positive")
        self._max_keys = max_keys
        self._clock = clock
        # key -> (window end, count)
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._windows)

    async def hit(self, key: str, limit: Limit) -> Verdict:
        now = self._clock()
        ends, count = self._windows.get(key, (0.0, 0))
        if ends <= now:
            ends, count = now + limit.window_seconds, 0
        count += 1
        self._windows[key] = (ends, count)
        self._windows.move_to_end(key)
        while len(self._windows) > self._max_keys:
            self._windows.popitem(last=False)
        return verdict_for(count, limit, ends - now)

    async def close(self) -> None:
        self._windows.clear()


# INCR and PEXPIRE in one atomic step: a crash between the two can never leave a counter
# without expiry (which would silence a sender for good).
_HIT_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""


class RedisRateLimiter:
    """Counters shared by every instance through Redis; fails open when Redis is unwell."""

    def __init__(self, client: Any, prefix: str = "intake:rate:") -> None:
        """``client`` is a ``redis.asyncio.Redis`` (typed loosely: redis ships no stubs)."""
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_HIT_SCRIPT)
        self._fail_open = FailOpen(log, "rate limit", "letting every message through")

    @classmethod
    def from_url(cls, url: str, prefix: str = "intake:rate:") -> RedisRateLimiter:
        return cls(connect(url), prefix=prefix)

    async def hit(self, key: str, limit: Limit) -> Verdict:
        window_ms = max(1, math.ceil(limit.window_seconds * 1000))
        counted = await self._fail_open.call(
            lambda: self._script(keys=[self._prefix + key], args=[window_ms]),
            fallback=None,
            what="count",
        )
        if counted is None:  # no counter: let the message through
            return Verdict(allowed=True, count=0, retry_after=0.0)
        count, ttl_ms = counted
        return verdict_for(int(count), limit, int(ttl_ms) / 1000.0)

    async def close(self) -> None:
        await close_quietly(self._client, log)
