"""Which buttons (title and payload) the bot offered each conversation in its last reply.

Why: a payload (``/affirm``, ``/inform_city{...}``) is an instruction to the dialogue, not
words; a channel should pass one only for a button the bot just showed. Remembering the offered
buttons per sender lets the web proxy accept exactly those payloads and turn any other ``/…``
into plain words, so a script cannot skip questions or consent by posting payloads the bot
never offered; and it lets both channels (web, LINE) map typed text that names one of those
buttons (「でんわ」 for 「電話」) to its payload (``bot.dialogue.button_match``).

Shared by ``bot.web`` and ``bot.channels`` and so kept at the package's top, below both.
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

#: One offered button: ``(title, payload)``.
Offer = tuple[str, str]


class OfferStore(Protocol):
    async def remember(self, sender: str, buttons: Iterable[Offer]) -> None:
        """Replace the sender's offered buttons with those of the bot's latest reply."""
        ...

    async def buttons(self, sender: str) -> tuple[Offer, ...]:
        """The ``(title, payload)`` pairs last offered to the sender, in their order."""
        ...

    async def offered(self, sender: str) -> frozenset[str]:
        """The payloads last offered to the sender."""
        ...

    async def close(self) -> None: ...


def _unique(buttons: Iterable[Offer]) -> tuple[Offer, ...]:
    return tuple(dict.fromkeys((str(title), str(payload)) for title, payload in buttons))


class InMemoryOfferStore:
    """Bounded LRU map sender -> (expiry, buttons) for one process."""

    def __init__(
        self,
        max_senders: int = 50_000,
        ttl_seconds: float = OFFER_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_senders
        self._ttl = ttl_seconds
        self._clock = clock
        self._offers: OrderedDict[str, tuple[float, tuple[Offer, ...]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._offers)

    async def remember(self, sender: str, buttons: Iterable[Offer]) -> None:
        self._offers[sender] = (self._clock() + self._ttl, _unique(buttons))
        self._offers.move_to_end(sender)
        while len(self._offers) > self._max:
            self._offers.popitem(last=False)

    async def buttons(self, sender: str) -> tuple[Offer, ...]:
        entry = self._offers.get(sender)
        if entry is None or entry[0] <= self._clock():
            return ()
        return entry[1]

    async def offered(self, sender: str) -> frozenset[str]:
        return frozenset(payload for _, payload in await self.buttons(sender))

    async def close(self) -> None:
        self._offers.clear()


def _parse(raw: Any) -> tuple[Offer, ...]:
    """Buttons from the stored JSON; a bare payload string (older format) has no title."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return ()
    if not isinstance(data, list):
        return ()
    found: list[Offer] = []
    for item in data:
        if isinstance(item, str):
            found.append(("", item))
        elif (
            isinstance(item, list)
            and len(item) == 2
            and all(isinstance(part, str) for part in item)
        ):
            found.append((item[0], item[1]))
    return tuple(found)


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
        self._fail_open = FailOpen(log, "offered buttons", "keeping offers in this process")

    @classmethod
    def from_url(cls, url: str, prefix: str = "intake:web:offers:") -> RedisOfferStore:
        return cls(connect(url), prefix=prefix)

    async def remember(self, sender: str, buttons: Iterable[Offer]) -> None:
        chosen = _unique(buttons)
        await self._local.remember(sender, chosen)
        value = json.dumps([list(button) for button in chosen], ensure_ascii=False)
        await self._fail_open.call(
            lambda: self._client.set(self._prefix + sender, value, ex=self._ttl),
            fallback=None,
            what="remember",
        )

    async def buttons(self, sender: str) -> tuple[Offer, ...]:
        async def read() -> tuple[Any]:  # a tuple, so that "no offer" (None) is told apart
            return (await self._client.get(self._prefix + sender),)

        found = await self._fail_open.call(read, fallback=None, what="read")
        if found is None:  # Redis down: this instance's copy still answers
            return await self._local.buttons(sender)
        return () if found[0] is None else _parse(found[0])

    async def offered(self, sender: str) -> frozenset[str]:
        return frozenset(payload for _, payload in await self.buttons(sender))

    async def close(self) -> None:
        await close_quietly(self._client, log)
