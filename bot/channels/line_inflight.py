"""Events the LINE webhook accepted but has not finished, and what to do with them at shutdown.

LINE has no acknowledgement beyond the webhook's HTTP 200: once we answered 200, LINE will not
redeliver the event, so stopping the bot with events still running would lose them silently.
At shutdown the channel therefore first waits (bounded) for running events to finish; what is
still unfinished is cancelled and *handed back to the resident*: each resident whose message
was not answered gets one short request to send it again (by the free reply token while it is
fresh, else by push). Deliveries that arrive while stopping are refused with 503 instead, so
LINE's webhook redelivery (if switched on in the LINE Developers console) brings them back.

A message Rasa had already taken in before it was cancelled may then be seen twice; that is
the lesser harm compared with a resident in crisis waiting for an answer that never comes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

# Events whose sender expects an answer; a lost follow/unfollow/unsend needs no apology.
ANSWERED_EVENT_TYPES = frozenset({"message", "postback"})


class InFlightEvents:
    """Accepted-but-unfinished events, keyed by identity (event ids may be missing)."""

    def __init__(self) -> None:
        self._events: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._events)

    def add(self, events: Iterable[dict[str, Any]]) -> None:
        for event in events:
            self._events[id(event)] = event

    def done(self, event: dict[str, Any]) -> None:
        self._events.pop(id(event), None)

    def take_all(self) -> list[dict[str, Any]]:
        events = list(self._events.values())
        self._events.clear()
        return events


def residents_to_ask(events: Iterable[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """One (user id, first unfinished event) per one-to-one resident who expected an answer.

    One request per resident, never one per message: three lost messages get one apology.
    Groups and rooms are not written to (the channel never pushes into a group).
    """
    chosen: dict[str, dict[str, Any]] = {}
    for event in events:
        source = event.get("source")
        if not isinstance(source, dict) or source.get("type") != "user":
            continue
        user_id = source.get("userId")
        if isinstance(user_id, str) and user_id and event.get("type") in ANSWERED_EVENT_TYPES:
            chosen.setdefault(user_id, event)
    return list(chosen.items())


@dataclass(frozen=True)
class ShutdownReport:
    finished: int
    handed_back: int
    residents_asked: int

    def log_line(self) -> str:
        return (
            f"LINE: shutdown: {self.finished} events finished, {self.handed_back} handed back "
            f"({self.residents_asked} residents asked to send again)"
        )


SendApology = Callable[[str, dict[str, Any]], Awaitable[bool]]


async def finish_or_hand_back(
    tasks: set[asyncio.Task[None]],
    in_flight: InFlightEvents,
    timeout_seconds: float,
    send_apology: SendApology,
    apology_timeout_seconds: float = 5.0,
) -> ShutdownReport:
    """Wait up to ``timeout_seconds`` for ``tasks``; cancel the rest and ask their residents."""
    accepted = len(in_flight)
    running = set(tasks)
    if running:
        _done, still_running = await asyncio.wait(running, timeout=timeout_seconds)
        for task in still_running:
            task.cancel()
        if still_running:
            await asyncio.gather(*still_running, return_exceptions=True)
    lost = in_flight.take_all()
    asked = 0
    residents = residents_to_ask(lost)
    if residents:
        try:
            results = await asyncio.wait_for(
                asyncio.gather(
                    *(send_apology(user_id, event) for user_id, event in residents),
                    return_exceptions=True,
                ),
                apology_timeout_seconds,
            )
            asked = sum(1 for result in results if result is True)
        except asyncio.TimeoutError:
            logger.warning("LINE: shutdown: LINE too slow, requests to send again not all sent")
    report = ShutdownReport(accepted - len(lost), len(lost), asked)
    if lost:
        logger.warning(report.log_line())
    elif accepted:
        logger.info(report.log_line())
    return report
