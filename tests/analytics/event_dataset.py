"""A generated stream of Rasa broker events with known analytic counts (consumer tests).

Events are shaped exactly like what Rasa's tracker store hands its broker
(``{"sender_id": …} | event.as_dict()``: ``user`` with ``parse_data``, ``slot``, ``bot``,
``action``), spread over the four cities, with a seeded random choice of worries, fallbacks,
crises, handoffs and tickets. ``Expected`` is computed while generating, independently of
the ingestion code, so a test can compare the analytic tables with it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.categories import CATEGORIES

CITIES = ("kurume", "masuda", "ube", "fuji")
START = datetime(2026, 4, 6, 0, 0, tzinfo=timezone.utc)
TEXTS = {
    "housing": "家賃が払えず住むところがなくなりそうです",
    "debt": "借金の返済が苦しい",
    "care": "親の介護で仕事に行けない",
    "poverty": "生活費が足りません",
    "isolation": "誰とも話していなくてさみしい",
}


@dataclass
class Expected:
    """What the analytic tables must say after ingesting the stream."""

    events: int = 0
    messages: int = 0  # user events
    conversations: int = 0
    by_city_category: Counter[tuple[str, str]] = field(default_factory=Counter)
    messages_by_city: Counter[str] = field(default_factory=Counter)
    fallbacks: int = 0
    crisis_conversations: int = 0
    window_shown: int = 0
    handoff_offered: int = 0
    ticket_created: int = 0


def _user(sender: str, at: datetime, n: int, text: str, parse: dict[str, Any]) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "event": "user",
        "timestamp": at.timestamp(),
        "metadata": {},
        "text": text,
        "parse_data": {"text": text, "entities": [], **parse},
        "input_channel": "line" if n % 2 else "rest",
        "message_id": f"{sender}-{n}",
    }


def _slot(sender: str, at: datetime, name: str, value: Any) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "event": "slot",
        "timestamp": at.timestamp(),
        "metadata": {},
        "name": name,
        "value": value,
    }


def _bot(sender: str, at: datetime, text: str) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "event": "bot",
        "timestamp": at.timestamp(),
        "metadata": {},
        "text": text,
        "data": {},
    }


def generate(
    min_events: int = 5000, seed: int = 7, prefix: str = "S"
) -> tuple[list[dict[str, Any]], Expected]:
    """At least ``min_events`` events; conversation by conversation, in time order."""
    rng = random.Random(seed)
    codes = [c for c in CATEGORIES if c in TEXTS] or list(CATEGORIES)[:5]
    events: list[dict[str, Any]] = []
    expected = Expected()
    i = 0
    while len(events) < min_events:
        sender = f"{prefix}{i:05d}"
        city = CITIES[i % len(CITIES)]
        at = START + timedelta(minutes=7 * i)
        step = iter(range(1000))

        def tick(at: datetime = at, step: Iterator[int] = step) -> datetime:
            return at + timedelta(seconds=next(step))

        conv: list[dict[str, Any]] = [_slot(sender, tick(), "city", city)]
        crisis = rng.random() < 0.05
        handoff = rng.random() < 0.4
        for n in range(rng.randint(1, 3)):
            if rng.random() < 0.15:  # not understood
                parse = {
                    "intent": {"name": "nlu_fallback", "confidence": 0.3},
                    "worry_categories": {"categories": [], "confidence": {}},
                    "crisis": {"detected": False, "kind": None},
                }
                conv.append(_user(sender, tick(), n, "えーと、その", parse))
                expected.fallbacks += 1
            else:
                chosen = sorted(rng.sample(codes, rng.choice((1, 1, 2))), key=codes.index)
                scores = {c: 0.9 for c in chosen}
                parse = {
                    "intent": {"name": "share_worry", "confidence": 0.9},
                    "worry_categories": {"categories": chosen, "confidence": scores},
                    "crisis": {
                        "detected": crisis and n == 0,
                        "kind": "suicide" if crisis else None,
                    },
                }
                text = "。".join(TEXTS[c] for c in chosen)
                conv.append(_user(sender, tick(), n, text, parse))
                conv.append(_slot(sender, tick(), "worries", chosen))
                conv.append(
                    _slot(sender, tick(), "routed_windows", [f"{city}-{c}" for c in chosen])
                )
                conv.append(_bot(sender, tick(), "相談できる窓口をご案内します。"))
                for c in chosen:
                    expected.by_city_category[(city, c)] += 1
            expected.messages += 1
            expected.messages_by_city[city] += 1
        if handoff:
            conv.append(_slot(sender, tick(), "awaiting", "handoff_offer"))
        events.extend(conv)
        expected.conversations += 1
        expected.crisis_conversations += crisis and any(
            e.get("parse_data", {}).get("crisis", {}).get("detected") for e in conv
        )
        expected.window_shown += any(e.get("name") == "routed_windows" for e in conv)
        expected.handoff_offered += handoff
        i += 1
    expected.events = len(events)
    return events, expected
