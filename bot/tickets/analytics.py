"""Counts for the unmet-needs analysis: tickets per city, category and ISO week.

Only counts leave this module — no text, no contact — so the output can be shared with the
planning side of the city without masking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.sql import Select

from bot.tickets.schema import AnonymousIntakeRow, TicketRow
from bot.tickets.store import TicketStore

UNCATEGORISED = "未分類"


@dataclass(frozen=True, order=True)
class WeeklyCount:
    city: str
    iso_year: int
    iso_week: int
    category: str
    count: int


def weekly_counts(
    store: TicketStore, city: str | None = None, since: datetime | None = None
) -> Sequence[WeeklyCount]:
    """Tickets per (city, ISO week in the city's time zone, category); a ticket with several
    categories counts once in each."""
    stmt = select(TicketRow.city, TicketRow.created_at, TicketRow.categories)
    if city:
        stmt = stmt.where(TicketRow.city == city)
    if since:
        stmt = stmt.where(TicketRow.created_at >= since)
    return _count_by_week(store, stmt)


ANONYMOUS_OUTCOMES = frozenset({"consent_declined", "cancelled"})


def record_anonymous_intake(
    store: TicketStore, city: str, categories: Sequence[str], outcome: str
) -> None:
    """Count an intake that was not handed over; nothing that identifies the resident."""
    if outcome not in ANONYMOUS_OUTCOMES:
        raise ValueError(f"unknown outcome: {outcome!r}")
    with store.session() as session, session.begin():
        session.add(
            AnonymousIntakeRow(
                recorded_at=day_start(store.now(), store.timezone),
                city=city,
                categories=sorted(set(categories)),
                outcome=outcome,
            )
        )


def day_start(moment: datetime, zone_name: str) -> datetime:
    """Midnight of ``moment``'s day in the city's time zone (as an aware UTC-comparable time).

    Anonymous counts keep the day and nothing finer: an exact time beside a city and the
    categories could be matched with other records (a LINE message, a phone call) to find the
    resident who declined. The column stays a timestamp so that no migration is needed.
    """
    zone = ZoneInfo(zone_name)
    local = moment.astimezone(zone)
    return datetime(local.year, local.month, local.day, tzinfo=zone)


def anonymous_weekly_counts(store: TicketStore, city: str | None = None) -> Sequence[WeeklyCount]:
    """Not-handed-over intakes per (city, ISO week, category), for the unmet-needs review."""
    stmt = select(
        AnonymousIntakeRow.city, AnonymousIntakeRow.recorded_at, AnonymousIntakeRow.categories
    )
    if city:
        stmt = stmt.where(AnonymousIntakeRow.city == city)
    return _count_by_week(store, stmt)


def _count_by_week(store: TicketStore, stmt: Select) -> Sequence[WeeklyCount]:
    """Rows of (city, time, categories) → counts per city, ISO week (city time) and category;
    a row with several categories counts once in each."""
    zone = ZoneInfo(store.timezone)
    counter: Counter[tuple[str, int, int, str]] = Counter()
    with store.session() as session:
        for row_city, at, categories in session.execute(stmt):
            year, week, _ = at.astimezone(zone).isocalendar()
            for category in categories or [UNCATEGORISED]:
                counter[(row_city, year, week, category)] += 1
    return sorted(WeeklyCount(*key, count) for key, count in counter.items())
