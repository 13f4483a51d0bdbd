"""Which button payloads the bot offered each web conversation in its last reply.

Why: a payload (``/affirm``, ``/inform_city{...}``) is an instruction to the dialogue, not
words; the page sends one only for a button the bot just showed. Remembering the offered set
per sender lets the proxy accept exactly those and turn any other ``/…`` into plain words,
so a script cannot skip questions or consent by posting payloads the bot never offered.

In-process by default (bounded, with a TTL); Redis when ``REDIS_URL`` is set, so several
instances agree. The Redis store also keeps the in-process copy and reads it while Redis is
down: buttons keep working on a single instance rather than turning into words.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from bot.redisutil import FailOpen, close_quietly, connect

log = logging.getLogger(__name__)

# Longer than Rasa's 60-minute session: a resident may think a while before pressing 「はい」.
OFFER_TTL_SECONDS = 2 * 3600.0


class OfferStore(Protocol):
    async def remember(self, sender: str, payloads: Iterable[str]) -> None:
        """Replace the sender's offered payloads with those of the bot's latest reply."""
        ...

    async def offered(self, sender: str) -> frozenset[str]: ...

    async def close(self) -> None: ...


class InMemoryOfferStore:
    """Bounded LRU map sender -> (expiry, payloads) for one process."""

    def __init__(
        self,
        max_senders: int = 50_000,
        ttl_seconds: float = OFFER_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_senders
        self._ttl = ttl_seconds
        self._clock = clock
        self._offers: OrderedDict[str, tuple[float, frozenset[str]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._offers)

    async def remember(self, sender: str, payloads: Iterable[str]) -> None:
        self._offers[sender] = (self._clock() + self._ttl, frozenset(payloads))
        self._offers.move_to_end(sender)
        while len(self._offers) > self._max:
            self._offers.popitem(last=False)

    async def offered(self, sender: str) -> frozenset[str]:
        entry = self._offers.get(sender)
        if entry is None or entry[0] <= self._clock():
            return frozenset()
        return entry[1]

    async def close(self) -> None:
        self._offers.clear()


class RedisOfferStore:
    """Offers shared through Redis (``SET key json EX ttl``), with the local copy as fallback."""

    def __init__(
        self,
        client: Any,
        prefix: str = "intake:web:offers:",
        ttl_seconds: float = OFFER_TTL_SECONDS,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._ttl = max(1, int(ttl_seconds))
        self._local = InMemoryOfferStore(ttl_seconds=ttl_seconds)
        self._fail_open = FailOpen(log, "web chat offers", "keeping offers in this process")

    @classmethod
    def from_url(cls, url: str) -> RedisOfferStore:
        return cls(connect(url))

    async def remember(self, sender: str, payloads: Iterable[str]) -> None:
        chosen = sorted(set(payloads))
        await self._local.remember(sender, chosen)
        await self._fail_open.call(
            lambda: self._client.set(self._prefix + sender, json.dumps(chosen), ex=self._ttl),
            fallback=None,
            what="remember",
        )

    async def offered(self, sender: str) -> frozenset[str]:
        async def read() -> tuple[Any]:  # a tuple, so that "no offer" (None) is told apart
            return (await self._client.get(self._prefix + sender),)

        found = await self._fail_open.call(read, fallback=None, what="read")
        if found is None:  # Redis down: this instance's copy still answers
            return await self._local.offered(sender)
        raw = found[0]
        if raw is None:
            return frozenset()
        try:
            data = json.loads(raw)
        except ValueError:
            return frozenset()
        return (
            frozenset(p for p in data if isinstance(p, str))
            if isinstance(data, list)
            else frozenset()
        )

    async def close(self) -> None:
        await close_quietly(self._client, log)
