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

from bot.tickets.schema import TicketRow
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
    zone = ZoneInfo(store.timezone)
    counter: Counter[tuple[str, int, int, str]] = Counter()
    with store.session() as session:
        for row_city, created_at, categories in session.execute(stmt):
            year, week, _ = created_at.astimezone(zone).isocalendar()
            for category in categories or [UNCATEGORISED]:
                counter[(row_city, year, week, category)] += 1
    return sorted(WeeklyCount(*key, count) for key, count in counter.items())
