"""The analysts' queries on a generated data set with known counts, on SQLite and PostgreSQL.

Protected behaviour (issue 10, "what analysts see"): counts by category × city × ISO week;
compound combinations per conversation; the funnel and its rates as documented in
``bot.analytics.queries``; crisis messages by weekday × hour (JST); unmet needs where the
directory marks a gap and worries left unrouted; fallback counts without button presses; and
every query honours the city and the JST date range (rows outside it are never counted).

The data goes in through the real ingestion path (``AnalyticsStore.record`` on Rasa-shaped
events), and the expected numbers are counted from the generator's plain specs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from bot.analytics.events import CITY_CODES, JST
from bot.analytics.migrate import upgrade_analytics
from bot.analytics.queries import (
    Scope,
    category_week_counts,
    compound_combinations,
    crisis_by_hour_weekday,
    fallback_counts,
    funnel,
    unmet_needs,
)
from bot.analytics.store import AnalyticsStore
from bot.directory import default_directory
from tests.services import postgres_schema

SALT = "queries-test-salt-0123456789"
SINCE, UNTIL = date(2026, 4, 1), date(2026, 4, 30)
FIRST_DAY = date(2026, 4, 6)  # a Monday: ISO 2026-W15
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)  # long after: every idle conversation is over
CONVERSATIONS = 240
# (categories per message, fallback reason of the first message, crisis)
PATTERNS: list[tuple[list[list[str]], str | None, bool]] = [
    ([["housing"]], None, False),
    ([["debt"], ["income"]], None, False),  # a compound across two messages
    ([["elderly_care", "debt"]], None, False),  # a compound in one message
    ([["hikikomori"]], None, False),  # a gap in three of the four cities
    ([[]], "nlu_fallback", False),
    ([["abuse_dv"]], None, True),  # a gap everywhere, and a crisis
]


@dataclass(frozen=True)
class Spec:
    """One generated conversation, in plain terms the expected counts are computed from."""

    index: int
    city: str
    start: datetime  # JST
    messages: list[list[str]]
    fallback: str | None  # first message's reason
    crisis: bool
    payload: bool  # a category button pressed after the first message
    window: bool
    handoff: bool
    accepted: bool  # the intake form started (the resident took the offer)
    consent: bool
    refused: bool
    ticket: bool

    @property
    def all_categories(self) -> list[list[str]]:
        return self.messages + ([self.messages[0][:1]] if self.payload else [])


def spec(i: int, day: date | None = None) -> Spec:
    group = i // 4
    messages, reason, crisis = PATTERNS[group % len(PATTERNS)]
    if reason is None and messages == [["housing"]] and i % 8 == 0:
        reason = "low_confidence"
    worried = bool(messages[0])
    handoff = worried and i % 3 == 0
    accepted = handoff and i % 9 != 3  # some offers are left unanswered
    consent = accepted and i % 2 == 0
    start_day = day or FIRST_DAY + timedelta(days=group % 21)
    return Spec(
        index=i,
        city=CITY_CODES[i % 4],
        start=datetime.combine(start_day, time((i * 7) % 24, 5), JST),
        messages=messages,
        fallback=reason,
        crisis=crisis,
        payload=worried and i % 5 == 0,
        window=worried,
        handoff=handoff,
        accepted=accepted,
        consent=consent,
        refused=accepted and not consent,
        ticket=consent,
    )


def events(s: Spec) -> list[dict[str, Any]]:
    """Rasa broker events for one spec: city slot, user messages, then the funnel's slots."""
    sender = f"seed-{s.index:05d}"
    at = s.start.timestamp()
    out: list[dict[str, Any]] = [
        {"event": "slot", "sender_id": sender, "timestamp": at, "name": "city", "value": s.city}
    ]
    for k, categories in enumerate(s.messages):
        reason = s.fallback if k == 0 else None
        intent = "nlu_fallback" if reason == "nlu_fallback" else "share_worry"
        out.append(
            {
                "event": "user",
                "sender_id": sender,
                "timestamp": at + 30 * (k + 1),
                "text": "相談したいことがあります",
                "input_channel": "line",
                "message_id": f"{sender}-{k}",
                "parse_data": {
                    "intent": {
                        "name": intent,
                        "confidence": 0.55 if reason == "low_confidence" else 0.9,
                    },
                    "entities": [],
                    "worry_categories": {
                        "categories": categories,
                        "confidence": {c: 0.9 for c in categories},
                    },
                    "crisis": {"detected": s.crisis, "kind": "abuse" if s.crisis else None},
                },
            }
        )
    later = at + 300
    if s.payload:
        code = s.messages[0][0]
        out.append(
            {
                "event": "user",
                "sender_id": sender,
                "timestamp": later,
                "text": f'/share_worry{{"category": "{code}"}}',
                "input_channel": "line",
                "message_id": f"{sender}-button",
                "parse_data": {
                    "intent": {"name": "share_worry", "confidence": 1.0},
                    "entities": [{"entity": "category", "value": code}],
                },
            }
        )
    slots = []
    if s.window:
        slots.append(("routed_windows", ["w1"]))
    if s.handoff:
        slots.append(("awaiting", "handoff_offer"))
    if s.accepted:
        slots.append(("active_loop", "intake_form"))
    if s.consent:
        slots.append(("intake_consent", "yes"))
    if s.refused:
        slots.append(("intake_consent", "no"))
    if s.ticket:
        slots.append(("ticket_reference", "UBE-2026-000001"))
    for n, (name, value) in enumerate(slots):
        event: dict[str, Any] = {"sender_id": sender, "timestamp": later + 10 * (n + 1)}
        if name == "active_loop":
            event |= {"event": "active_loop", "name": value}
        else:
            event |= {"event": "slot", "name": name, "value": value}
        out.append(event)
    return out


def specs() -> list[Spec]:
    """The data set: 240 conversations in April, and 8 in March that no query may count."""
    inside = [spec(i) for i in range(CONVERSATIONS)]
    outside = [spec(CONVERSATIONS + i, day=date(2026, 3, 20)) for i in range(8)]
    return inside + outside


def seed(url: str) -> None:
    upgrade_analytics(url)
    store = AnalyticsStore(url, salt=SALT)
    try:
        batch = [event for s in specs() for event in events(s)]
        store.record(batch)
    finally:
        store.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[AnalyticsStore]:
    """A store holding the generated data set (seeded once per backend)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('queries') / 'analytics.sqlite3'}"
        seed(url)
        store = AnalyticsStore(url, salt=SALT)
        yield store
        store.dispose()
        return
    with postgres_schema() as url:
        seed(url)
        store = AnalyticsStore(url, salt=SALT)
        yield store
        store.dispose()


def in_scope(s: Spec, city: str | None) -> bool:
    return SINCE <= s.start.date() <= UNTIL and (city is None or s.city == city)


@pytest.mark.parametrize("city", [None, "ube"])
def test_category_week_counts_match_the_generated_messages(
    seeded: AnalyticsStore, city: str | None
) -> None:
    expected: Counter[tuple[str, str, str]] = Counter()
    for s in specs():
        if in_scope(s, city):
            year, week, _ = s.start.isocalendar()
            for categories in s.all_categories:
                for c in categories:
                    expected[(f"{year}-W{week:02d}", s.city, c)] += 1
    with seeded.session() as session:
        rows = category_week_counts(session, Scope(city, SINCE, UNTIL))
    assert {(r.week, r.city, r.category): r.count for r in rows} == dict(expected)
    assert {r.week for r in rows} == {"2026-W15", "2026-W16", "2026-W17"}
    assert city is None or {r.city for r in rows} == {city}


def test_compound_combinations_are_per_conversation(seeded: AnalyticsStore) -> None:
    with seeded.session() as session:
        rows = compound_combinations(session, Scope(None, SINCE, UNTIL))
    # Patterns 1 and 2 each hold 40 of the 240 conversations (10 groups of 4).
    assert [(r.categories, r.conversations) for r in rows] == [
        (("debt", "income"), 40),
        (("debt", "elderly_care"), 40),
    ]


@pytest.mark.parametrize("city", [None, "masuda"])
def test_funnel_counts_and_rates(seeded: AnalyticsStore, city: str | None) -> None:
    chosen = [s for s in specs() if in_scope(s, city)]
    with seeded.session() as session:
        result = funnel(session, Scope(city, SINCE, UNTIL), now=NOW)
    started = len(chosen)
    offered = sum(s.handoff for s in chosen)
    accepted = sum(s.accepted for s in chosen)
    contained = sum(s.window and not s.accepted and not s.ticket for s in chosen)
    abandoned = sum(
        not (s.window and not s.accepted and not s.ticket) and not s.ticket and not s.refused
        for s in chosen
    )
    assert offered - accepted > 0 and abandoned > 0 and contained > 0  # every case occurs
    assert result.steps == [
        ("started", started),
        ("worry_recognised", sum(bool(s.messages[0]) for s in chosen)),
        ("window_shown", sum(s.window for s in chosen)),
        ("handoff_offered", offered),
        ("handoff_accepted", accepted),
        ("consent_given", sum(s.consent for s in chosen)),
        ("consent_refused", sum(s.refused for s in chosen)),
        ("ticket_created", sum(s.ticket for s in chosen)),
        ("abandoned", abandoned),
    ]
    assert result.contained == contained
    assert result.escalated == accepted
    assert result.rates["containment"] == pytest.approx(contained / started)
    assert result.rates["escalation"] == pytest.approx(accepted / started)
    assert result.rates["acceptance"] == pytest.approx(accepted / offered)
    assert result.rates["ticket"] == pytest.approx(sum(s.ticket for s in chosen) / offered)
    assert result.rates["abandonment"] == pytest.approx(abandoned / started)
    # Contained, abandoned and escalated-with-an-outcome never overlap.
    assert contained + abandoned + sum(s.ticket or s.refused for s in chosen) == started
    if city is None:
        assert started == 240  # the 8 March conversations are outside the period


def test_abandonment_waits_for_the_idle_time(seeded: AnalyticsStore) -> None:
    """A report run while the last conversations are still going does not call them abandoned."""
    last = max(s.start for s in specs() if SINCE <= s.start.date() <= UNTIL and not s.window)
    with seeded.session() as session:
        early = funnel(session, Scope(None, SINCE, UNTIL), now=last.astimezone(timezone.utc))
        late = funnel(session, Scope(None, SINCE, UNTIL), now=NOW)
    assert early.abandoned < late.abandoned


def test_empty_period_has_no_rates(seeded: AnalyticsStore) -> None:
    with seeded.session() as session:
        result = funnel(session, Scope("ube", date(2025, 1, 1), date(2025, 1, 31)), now=NOW)
    assert result.started == 0
    assert set(result.rates.values()) == {None}


def test_crisis_grid_is_weekday_by_jst_hour(seeded: AnalyticsStore) -> None:
    expected = [[0] * 24 for _ in range(7)]
    for s in specs():
        if in_scope(s, None) and s.crisis:
            moment = s.start + timedelta(seconds=30)
            expected[moment.isoweekday() - 1][moment.hour] += 1
    with seeded.session() as session:
        grid = crisis_by_hour_weekday(session, Scope(None, SINCE, UNTIL))
    assert grid == expected
    assert sum(map(sum, grid)) == 40


def test_unmet_needs_follow_the_directory_gaps(seeded: AnalyticsStore) -> None:
    directory = default_directory()
    with seeded.session() as session:
        rows = unmet_needs(session, Scope(None, SINCE, UNTIL), directory)
    got = {(r.city, r.category): (r.is_gap, r.gap_messages, r.unrouted_messages) for r in rows}
    for city in CITY_CODES:
        gaps = set(directory.city(city).gap_categories)  # type: ignore[union-attr]
        asked: Counter[str] = Counter()
        for s in specs():
            if in_scope(s, city):
                for categories in s.all_categories:
                    asked.update(c for c in categories if c in gaps)
        for category in gaps:
            assert got[(city, category)] == (True, asked[category], asked[category])
    # Fuji has a window for ひきこもり; the other three send it to 多機関協働 (a gap).
    assert ("fuji", "hikikomori") not in got
    assert got[("ube", "hikikomori")][1] == 12  # 10 messages + 2 category buttons
    assert got[("ube", "isolation")] == (True, 0, 0)  # listed even when nobody asked


def test_fallback_counts_exclude_buttons(seeded: AnalyticsStore) -> None:
    with seeded.session() as session:
        rows = fallback_counts(session, Scope("kurume", SINCE, UNTIL))
    chosen = [s for s in specs() if in_scope(s, "kurume")]
    assert len(rows) == 1 and rows[0].city == "kurume"
    assert rows[0].messages == sum(len(s.messages) for s in chosen)
    assert rows[0].reasons == {
        "nlu_fallback": sum(s.fallback == "nlu_fallback" for s in chosen),
        "out_of_scope": 0,
        "low_confidence": sum(s.fallback == "low_confidence" for s in chosen),
    }
    assert rows[0].reasons["nlu_fallback"] == 10


def test_scope_refuses_a_reversed_range() -> None:
    with pytest.raises(ValueError):
        Scope(None, date(2026, 5, 1), date(2026, 4, 1))
