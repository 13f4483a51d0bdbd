"""One LINE user's deliveries handled one after another, in the order they arrived.

Why: the webhook answers LINE at once and handles each delivery in its own background task,
one event after another. A resident typing fast can cause two deliveries; without this, the
second delivery's first message could reach Rasa while the first delivery is between two of its
events, and the later message would be answered first. Rasa's lock store orders only messages
that have already reached it, so the order has to be kept here, before Rasa.

Together with the LINE router (``bot.line_router``: one instance owns each user in the scaled
layout), a user's messages reach Rasa in the order LINE delivered them. Different users never
wait for each other. State is per process, which is enough because one instance owns each user.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from bot.channels.line_events import source_of


def owner_of(event: dict[str, Any]) -> str:
    """The conversation an event belongs to: the user, else the group or room ("" if none)."""
    source = source_of(event)
    for key in ("userId", "groupId", "roomId"):
        value = source.get(key)
        if isinstance(value, str) and value:
            return f"{key}:{value}"
    return ""


class OwnerQueue:
    """First come, first served per owner (``asyncio.Lock`` wakes its waiters in order)."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: dict[str, int] = {}  # tasks holding or waiting, so idle locks are freed

    @asynccontextmanager
    async def hold(self, events: Iterable[dict[str, Any]]) -> AsyncIterator[None]:
        """Run the block once every earlier delivery of these events' owners has finished.

        Owners are taken in sorted order, so two deliveries sharing owners cannot deadlock.
        """
        owners = sorted({owner_of(event) for event in events} - {""})
        acquired: list[asyncio.Lock] = []
        for owner in owners:
            self._holders[owner] = self._holders.get(owner, 0) + 1
        try:
            for owner in owners:
                lock = self._locks.setdefault(owner, asyncio.Lock())
                await lock.acquire()
                acquired.append(lock)
            yield
        finally:
            for lock in reversed(acquired):
                lock.release()
            for owner in owners:
                self._holders[owner] -= 1
                if not self._holders[owner]:
                    del self._holders[owner]
                    self._locks.pop(owner, None)

    def __len__(self) -> int:
        """Owners with a delivery running or waiting (tests: nothing is kept after)."""
        return len(self._holders)
