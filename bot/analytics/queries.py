"""What analysts see: the report's queries over the analytic tables (issue 10).

Every function takes a 2.0-style ``Session`` (or ``Connection``) and a ``Scope``: one city or
all (``None``), and an inclusive range of Japan-time dates. Messages are filtered on their
``jst_date``; conversations on the JST date of ``started_at`` (a conversation belongs to the
period it started in). Nothing here reads the ticket store: the analytic tables only.

The counts are *messages* unless a docstring says *conversations*: a resident who writes about
debt twice is two messages about debt (what the bot was asked), one conversation. Button
presses carry their category and count as messages about it (``is_payload``), as the schema
says; the fallback counts only messages a resident wrote.

The category columns are JSON lists in canonical order; SQL groups by the list as a whole
(cheap on both SQLite and PostgreSQL's JSONB) and Python splits the few distinct lists into
categories, so no dialect-specific JSON function is needed.

**Funnel rates** (the names Rasa's analytics, Dialogflow CX and Chatwoot use, adapted to this
bot's flags; the denominators are stated so a city can recompute them in Metabase). The bot
offers a staff contact after nearly every answer that names a window, so the *offer*
(``handoff_offered``) is a funnel step, and the escalation is the resident *accepting* it
(``handoff_accepted``: the intake questions began):

* containment rate = contained / started, where *contained* is a conversation that got its
  windows from the bot and was not passed towards staff (``window_shown`` and neither
  ``handoff_accepted`` nor ``ticket_created``): the bot's answer was the outcome.
* escalation (handoff) rate = escalated / started, where *escalated* is ``handoff_accepted``
  or ``ticket_created``: conversations the resident let the bot pass to a person.
* offer acceptance rate = ``handoff_accepted`` / ``handoff_offered``; consent rate =
  ``consent_given`` / ``handoff_offered``; ticket rate = ``ticket_created`` /
  ``handoff_offered``: how many offers became an intake at the city.
* abandonment rate = abandoned / started, where *abandoned* is a conversation with no outcome
  (not contained, no ticket, no explicit refusal or cancel: ``consent_refused``) and no event
  for ``ABANDON_AFTER_MINUTES`` before the end of the period (or now, if sooner): the
  resident left before the bot named a window, or in the middle of the intake.

Contained, abandoned and "escalated and ended with a ticket or a refusal" do not overlap; a
conversation still going (an event in the last 30 minutes) is in none of them yet.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import TypeAlias

from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot.analytics.events import CITY_CODES, JST
from bot.analytics.schema import ABANDON_AFTER_MINUTES, ConversationRow, MessageRow
from bot.categories import CATEGORIES
from bot.directory import Directory, default_directory

__all__ = [
    "FALLBACK_REASONS",
    "CategoryWeek",
    "Combination",
    "FallbackCount",
    "Funnel",
    "Scope",
    "UnmetNeed",
    "category_week_counts",
    "city_order",
    "compound_combinations",
    "crisis_by_hour_weekday",
    "fallback_counts",
    "rate",
    "funnel",
    "unmet_needs",
]

FALLBACK_REASONS = ("nlu_fallback", "out_of_scope", "low_confidence")
STEPS = (
    "started",
    "worry_recognised",
    "window_shown",
    "handoff_offered",
    "handoff_accepted",
    "consent_given",
    "consent_refused",
    "ticket_created",
    "abandoned",
)

Reader: TypeAlias = Session | Connection


@dataclass(frozen=True)
class Scope:
    """One city (``None``: all, including unknown and ``other``) and JST dates, inclusive."""

    city: str | None
    since: date
    until: date

    def __post_init__(self) -> None:
        if self.until < self.since:
            raise ValueError(f"until ({self.until}) is before since ({self.since})")

    @property
    def start_utc(self) -> datetime:
        """Midnight JST at the start of ``since``, as UTC (conversation filters)."""
        return datetime.combine(self.since, time(0), JST).astimezone(timezone.utc)

    @property
    def end_utc(self) -> datetime:
        """Midnight JST after ``until`` (exclusive), as UTC."""
        return datetime.combine(self.until + timedelta(days=1), time(0), JST).astimezone(
            timezone.utc
        )

    def messages(self) -> list[ColumnElement[bool]]:
        where = [MessageRow.jst_date >= self.since, MessageRow.jst_date <= self.until]
        if self.city is not None:
            where.append(MessageRow.city == self.city)
        return where

    def conversations(self) -> list[ColumnElement[bool]]:
        where = [
            ConversationRow.started_at >= self.start_utc,
            ConversationRow.started_at < self.end_utc,
        ]
        if self.city is not None:
            where.append(ConversationRow.city == self.city)
        return where


# -- categories × city × week ---------------------------------------------------------------


@dataclass(frozen=True, order=True)
class CategoryWeek:
    """Messages about ``category`` in ``city`` (None: not known) during ISO week ``year-Www``."""

    iso_year: int
    iso_week: int
    city: str | None
    category: str
    count: int

    @property
    def week(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"


def category_week_counts(reader: Reader, scope: Scope) -> list[CategoryWeek]:
    """Messages per category, city and ISO week (JST), sorted by week, city, canonical order.

    A message with two categories counts once for each.
    """
    statement = (
        select(
            MessageRow.iso_year,
            MessageRow.iso_week,
            MessageRow.city,
            MessageRow.categories,
            func.count(),
        )
        .where(*scope.messages())
        .group_by(MessageRow.iso_year, MessageRow.iso_week, MessageRow.city, MessageRow.categories)
    )
    counts: Counter[tuple[int, int, str | None, str]] = Counter()
    for year, week, city, categories, n in reader.execute(statement):
        for category in categories or []:
            counts[(int(year), int(week), city, str(category))] += int(n)
    order = {code: i for i, code in enumerate(CATEGORIES)}
    return sorted(
        (CategoryWeek(y, w, c, cat, n) for (y, w, c, cat), n in counts.items()),
        key=lambda r: (r.iso_year, r.iso_week, r.city or "~", order.get(r.category, 99)),
    )


# -- compound combinations ------------------------------------------------------------------


@dataclass(frozen=True)
class Combination:
    """A set of ≥2 categories that occurred together in ``conversations`` conversations."""

    categories: tuple[str, ...]
    conversations: int


def compound_combinations(reader: Reader, scope: Scope) -> list[Combination]:
    """Combinations of worries (複合課題) by *conversation*, most frequent first.

    A conversation's worries are the union of its messages' categories in the period (a
    resident often tells one worry per message: 介護, then 借金). Only unions of two or more
    are listed; ties are broken by the canonical order of the categories.
    """
    statement = (
        select(MessageRow.conversation_hash, MessageRow.categories)
        .where(*scope.messages())
        .group_by(MessageRow.conversation_hash, MessageRow.categories)
    )
    per_conversation: dict[str, set[str]] = defaultdict(set)
    for key, categories in reader.execute(statement):
        per_conversation[key].update(categories or [])
    order = {code: i for i, code in enumerate(CATEGORIES)}
    counts: Counter[tuple[str, ...]] = Counter(
        tuple(sorted(found, key=lambda c: order.get(c, 99)))
        for found in per_conversation.values()
        if len(found) >= 2
    )
    return [
        Combination(combo, n)
        for combo, n in sorted(
            counts.items(), key=lambda item: (-item[1], [order.get(c, 99) for c in item[0]])
        )
    ]


# -- the funnel -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """Conversation counts at each step and the rates defined in the module docstring."""

    started: int
    worry_recognised: int
    window_shown: int
    handoff_offered: int
    handoff_accepted: int
    consent_given: int
    consent_refused: int
    ticket_created: int
    abandoned: int
    contained: int
    escalated: int
    rates: dict[str, float | None] = field(default_factory=dict)

    @property
    def steps(self) -> list[tuple[str, int]]:
        """The steps in funnel order (names as the flags, then ``abandoned``)."""
        return [(name, getattr(self, name)) for name in STEPS]


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when whole is 0 (a rate of nothing is not 0%)."""
    return None if whole == 0 else part / whole


def funnel(reader: Reader, scope: Scope, *, now: datetime | None = None) -> Funnel:
    """Conversations that started in the period, per funnel flag, with the rates.

    ``now`` (aware) caps the abandonment cut-off, so a report on today's date does not call a
    conversation abandoned while the resident may still be typing.
    """
    now = now or datetime.now(timezone.utc)
    cutoff = min(scope.end_utc, now) - timedelta(minutes=ABANDON_AFTER_MINUTES)
    c = ConversationRow

    def n(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    contained = and_(
        c.window_shown.is_(True),
        not_(c.handoff_accepted.is_(True)),
        not_(c.ticket_created.is_(True)),
    )
    statement = select(
        func.count(),
        n(c.worry_recognised.is_(True)),
        n(c.window_shown.is_(True)),
        n(c.handoff_offered.is_(True)),
        n(c.handoff_accepted.is_(True)),
        n(c.consent_given.is_(True)),
        n(c.consent_refused.is_(True)),
        n(c.ticket_created.is_(True)),
        n(
            and_(
                not_(contained),
                not_(c.ticket_created.is_(True)),
                not_(c.consent_refused.is_(True)),
                c.last_event_at < cutoff,
            )
        ),
        n(contained),
        n(or_(c.handoff_accepted.is_(True), c.ticket_created.is_(True))),
    ).where(*scope.conversations())
    counts = [int(v) for v in reader.execute(statement).one()]
    (
        started,
        recognised,
        shown,
        offered,
        accepted,
        given,
        refused,
        ticket,
        abandoned,
        n_contained,
        escalated,
    ) = counts
    rates = {
        "containment": rate(n_contained, started),
        "escalation": rate(escalated, started),
        "acceptance": rate(accepted, offered),
        "consent": rate(given, offered),
        "ticket": rate(ticket, offered),
        "abandonment": rate(abandoned, started),
    }
    return Funnel(
        started,
        recognised,
        shown,
        offered,
        accepted,
        given,
        refused,
        ticket,
        abandoned,
        n_contained,
        escalated,
        rates,
    )


# -- crisis by hour and weekday -------------------------------------------------------------


def crisis_by_hour_weekday(reader: Reader, scope: Scope) -> list[list[int]]:
    """Crisis messages as a 7 × 24 grid: ``grid[weekday - 1][hour]`` (1 = Monday, JST hours).

    When are crisis lines needed: the hours a city's own lines are closed show up here.
    """
    grid = [[0] * 24 for _ in range(7)]
    statement = (
        select(MessageRow.weekday_jst, MessageRow.hour_jst, func.count())
        .where(*scope.messages(), MessageRow.crisis.is_(True))
        .group_by(MessageRow.weekday_jst, MessageRow.hour_jst)
    )
    for weekday, hour, n in reader.execute(statement):
        grid[int(weekday) - 1][int(hour)] += int(n)
    return grid


# -- unmet needs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnmetNeed:
    """One city's category that the city's directory cannot route to a specialised window.

    * ``gap_messages`` — messages asking about ``category`` where the directory marks it a gap
      (制度の狭間: ``routing_notes`` with ``gap: true``; the route falls back to 多機関協働).
    * ``unrouted_messages`` — messages whose ``unrouted`` list holds ``category``: worries that
      no specialised window received when the bot answered (gaps, or no window listed).
    """

    city: str
    category: str
    is_gap: bool
    gap_messages: int
    unrouted_messages: int


def unmet_needs(
    reader: Reader, scope: Scope, directory: Directory | None = None
) -> list[UnmetNeed]:
    """Per city (the four, or the scope's one) and category: gap demand and unrouted worries.

    Lists every gap category of each city (zero counts included: "nobody asked" is an answer
    too) and any other category that went unrouted; sorted by city, then canonical order.
    """
    directory = directory or default_directory()
    cities = [scope.city] if scope.city is not None else list(CITY_CODES)
    gaps = {
        city: set(entry.gap_categories) if (entry := directory.city(city)) else set()
        for city in cities
    }
    asked: Counter[tuple[str, str]] = Counter()
    unrouted: Counter[tuple[str, str]] = Counter()
    statement = (
        select(MessageRow.city, MessageRow.categories, MessageRow.unrouted, func.count())
        .where(*scope.messages(), MessageRow.city.in_(cities))
        .group_by(MessageRow.city, MessageRow.categories, MessageRow.unrouted)
    )
    for city, categories, missed, n in reader.execute(statement):
        for category in categories or []:
            if category in gaps[city]:
                asked[(city, category)] += int(n)
        for category in missed or []:
            unrouted[(city, category)] += int(n)
    rows: list[UnmetNeed] = []
    for city in cities:
        for category in CATEGORIES:
            is_gap = category in gaps[city]
            if is_gap or unrouted[(city, category)]:
                rows.append(
                    UnmetNeed(
                        city,
                        category,
                        is_gap,
                        asked[(city, category)],
                        unrouted[(city, category)],
                    )
                )
    return rows


# -- fallback and low confidence ------------------------------------------------------------


@dataclass(frozen=True)
class FallbackCount:
    """Messages a resident wrote in ``city``: how many, and how many per fallback reason."""

    city: str | None
    messages: int
    reasons: dict[str, int]

    @property
    def not_understood(self) -> int:
        return sum(self.reasons.values())


def fallback_counts(reader: Reader, scope: Scope) -> list[FallbackCount]:
    """Written messages per city and fallback reason (button presses excluded).

    ``nlu_fallback`` and ``out_of_scope`` are what the bot did not understand or could not
    help with; ``low_confidence`` is what it acted on with a confidence under
    ``bot.analytics.events.LOW_CONFIDENCE``: the unmet-need inbox's material.
    """
    statement = (
        select(MessageRow.city, MessageRow.fallback, func.count())
        .where(*scope.messages(), MessageRow.is_payload.is_(False))
        .group_by(MessageRow.city, MessageRow.fallback)
    )
    totals: Counter[str | None] = Counter()
    reasons: dict[str | None, dict[str, int]] = defaultdict(
        lambda: {reason: 0 for reason in FALLBACK_REASONS}
    )
    for city, reason, n in reader.execute(statement):
        totals[city] += int(n)
        reasons[city]  # every city gets its zero row
        if reason:
            reasons[city][str(reason)] = reasons[city].get(str(reason), 0) + int(n)
    return [
        FallbackCount(city, totals[city], reasons[city])
        for city in sorted(totals, key=lambda c: city_order(c))
    ]


def city_order(city: str | None) -> tuple[int, str]:
    """The four cities in their usual order, then ``other``, then unknown."""
    if city in CITY_CODES:
        return (CITY_CODES.index(city), "")
    return (len(CITY_CODES) + (1 if city is None else 0), city or "")
