"""A generated stream of Rasa broker events with known analytic counts (consumer tests).

Events are shaped exactly like what Rasa's tracker store hands its broker
(``{"sender_id": …} | event.as_dict()``: ``user`` with ``parse_data``, ``slot``, ``bot``,
``action``), spread over the four cities, with a seeded random choice of worries, fallbacks,
crises, handoffs and tickets. ``Expected`` is computed while generating, independently of
the ingestion code, so a test can compare the analytic tables with it.

With ``outcomes=True`` each handoff offer also gets what the resident did with it, as the
real actions write it: the intake form started (``active_loop``), the consent slot, and the
submit action's real reply texts (``bot.intake.questions.received`` with a reference, or
``QUEUED``), a refused consent, or a declined offer (``DECLINED_CONTACT``); the
``ReportCounts`` then say what ``build_report`` must show.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.categories import CATEGORIES
from bot.dialogue import texts as dialogue_texts
from bot.intake import questions

CITIES = ("kurume", "masuda", "ube", "fuji")
START = datetime(2026, 4, 6, 0, 0, tzinfo=timezone.utc)
JST = timezone(timedelta(hours=9))
TEXTS = {
    "housing": "家賃が払えず住むところがなくなりそうです",
    "debt": "借金の返済が苦しい",
    "care": "親の介護で仕事に行けない",
    "poverty": "生活費が足りません",
    "isolation": "誰とも話していなくてさみしい",
}


@dataclass
class ReportCounts:
    """What the report (``bot.analytics.report.build_report``) must show, per city.

    Keys are city codes; ``weekly`` is keyed by (ISO week ``2026-W15``, city, category).
    """

    weekly: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)  # messages with text
    nlu_fallback: Counter[str] = field(default_factory=Counter)
    crisis_messages: Counter[str] = field(default_factory=Counter)
    funnel: dict[str, Counter[str]] = field(default_factory=dict)  # step -> city -> n

    def step(self, name: str, city: str | None) -> int:
        counts = self.funnel.get(name, Counter())
        return sum(counts.values()) if city is None else counts[city]

    def total(self, counter: Counter[str], city: str | None) -> int:
        return sum(counter.values()) if city is None else counter[city]


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
    report: ReportCounts = field(default_factory=ReportCounts, compare=False)


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


def _active_loop(sender: str, at: datetime, name: str) -> dict[str, Any]:
    return {"sender_id": sender, "event": "active_loop", "timestamp": at.timestamp(), "name": name}


def _outcome(
    rng: random.Random, sender: str, city: str, i: int, tick: Any
) -> tuple[list[dict[str, Any]], set[str]]:
    """What the resident did with the offer, as the actions write it; and the funnel steps."""
    roll = rng.random()
    if roll < 0.25:  # declined the offer
        return [_bot(sender, tick(), dialogue_texts.DECLINED_CONTACT)], {"consent_refused"}
    if roll < 0.45:  # said nothing more
        return [], set()
    events = [_active_loop(sender, tick(), "intake_form")]
    steps = {"handoff_accepted"}
    roll = rng.random()
    if roll < 0.15:  # left in the middle of the questions
        return events, steps
    if roll < 0.3:  # said no to the consent question
        events.append(_slot(sender, tick(), "intake_consent", "no"))
        events.append(_bot(sender, tick(), questions.CONSENT_DECLINED))
        return events, steps | {"consent_refused"}
    events.append(_slot(sender, tick(), "intake_consent", "yes"))
    steps.add("consent_given")
    if roll < 0.35:  # the database refused it: no ticket
        events.append(_bot(sender, tick(), questions.FAILED))
        return events, steps
    if roll < 0.45:  # kept in the outbox, created later
        text = questions.QUEUED
    else:
        reference = f"{city.upper()}-2026-{i:06d}"
        text = questions.received(reference, "生活支援窓口", rng.choice(("電話", None)), None)
    events.append(_bot(sender, tick(), text))
    return events, steps | {"ticket_created"}


def generate(
    min_events: int = 5000,
    seed: int = 7,
    prefix: str = "S",
    *,
    min_messages: int = 0,
    outcomes: bool = False,
) -> tuple[list[dict[str, Any]], Expected]:
    """At least ``min_events`` events and ``min_messages`` resident messages; conversation by
    conversation, in time order."""
    rng = random.Random(seed)
    codes = [c for c in CATEGORIES if c in TEXTS] or list(CATEGORIES)[:5]
    events: list[dict[str, Any]] = []
    expected = Expected()
    i = 0
    report = expected.report
    while len(events) < min_events or expected.messages < min_messages:
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
                report.nlu_fallback[city] += 1
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
                moment = tick()
                conv.append(_user(sender, moment, n, text, parse))
                year, week, _ = moment.astimezone(JST).isocalendar()
                report.crisis_messages[city] += crisis and n == 0
                conv.append(_slot(sender, tick(), "worries", chosen))
                conv.append(
                    _slot(sender, tick(), "routed_windows", [f"{city}-{c}" for c in chosen])
                )
                conv.append(_bot(sender, tick(), "相談できる窓口をご案内します。"))
                for c in chosen:
                    expected.by_city_category[(city, c)] += 1
                    report.weekly[(f"{year}-W{week:02d}", city, c)] += 1
            expected.messages += 1
            expected.messages_by_city[city] += 1
            report.written[city] += 1
        steps = {"started"}
        shown = any(e.get("name") == "routed_windows" for e in conv)
        if shown:
            steps |= {"worry_recognised", "window_shown"}
        if handoff:
            conv.append(_slot(sender, tick(), "awaiting", "handoff_offer"))
            steps.add("handoff_offered")
            if outcomes:
                more, done = _outcome(rng, sender, city, i, tick)
                conv.extend(more)
                steps |= done
                expected.ticket_created += "ticket_created" in done
        contained = shown and not steps & {"handoff_accepted", "ticket_created"}
        if contained:
            steps.add("contained")  # not a stored flag: what the report computes
        elif not steps & {"ticket_created", "consent_refused"}:
            steps.add("abandoned")  # every conversation is long over when the report runs
        for step in steps:
            report.funnel.setdefault(step, Counter())[city] += 1
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
