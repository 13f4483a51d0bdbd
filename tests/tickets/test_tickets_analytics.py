"""Unmet-needs counts: per city, category and ISO week (Tokyo), counts only."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.tickets import TicketStore
from bot.tickets.analytics import UNCATEGORISED, WeeklyCount, weekly_counts


def test_weekly_counts(store: TicketStore, make_submission, clock) -> None:
    clock.set(datetime(2026, 3, 8, 14, 0, tzinfo=timezone.utc))  # Sun 23:00 JST: week 10
    store.create_ticket(make_submission(categories=("生活困窮", "住まい")))
    clock.set(datetime(2026, 3, 8, 15, 30, tzinfo=timezone.utc))  # Mon 00:30 JST: week 11
    store.create_ticket(make_submission(categories=("生活困窮",)))
    store.create_ticket(make_submission(city="kurume", windows=("kurume.x",), categories=()))
    assert list(weekly_counts(store)) == [
        WeeklyCount("kurume", 2026, 11, UNCATEGORISED, 1),
        WeeklyCount("ube", 2026, 10, "住まい", 1),
        WeeklyCount("ube", 2026, 10, "生活困窮", 1),
        WeeklyCount("ube", 2026, 11, "生活困窮", 1),
    ]
    assert len(weekly_counts(store, city="kurume")) == 1


def test_an_intake_without_consent_leaves_only_an_anonymous_count(store):
    """Refused consent keeps city, categories and week for the unmet-needs review, nothing
    that could identify the resident."""
    from bot.tickets.analytics import anonymous_weekly_counts, record_anonymous_intake
    from bot.tickets.schema import AnonymousIntakeRow

    record_anonymous_intake(store, "ube", ["debt", "income"], "consent_declined")
    counts = anonymous_weekly_counts(store, city="ube")
    assert sorted((c.category, c.count) for c in counts) == [("debt", 1), ("income", 1)]
    assert {column.name for column in AnonymousIntakeRow.__table__.columns} == {
        "id",
        "recorded_at",
        "city",
        "categories",
        "outcome",
    }
    assert anonymous_weekly_counts(store, city="kurume") == []


def test_an_anonymous_count_keeps_the_day_not_the_moment(store, clock) -> None:
    """A declined intake is counted with its day in Japan (midnight JST), never the exact time
    a resident wrote: a microsecond timestamp next to a city and categories can single a
    person out when joined with other logs."""
    from sqlalchemy import select

    from bot.tickets.analytics import anonymous_weekly_counts, record_anonymous_intake
    from bot.tickets.schema import AnonymousIntakeRow

    clock.set(datetime(2026, 3, 8, 15, 30, 12, 345678, tzinfo=timezone.utc))  # Mon 00:30 JST
    record_anonymous_intake(store, "ube", ["debt"], "consent_declined")
    clock.set(datetime(2026, 3, 8, 14, 59, 0, tzinfo=timezone.utc))  # Sun 23:59 JST
    record_anonymous_intake(store, "ube", ["debt"], "cancelled")
    with store.session() as session:
        stored = sorted(session.scalars(select(AnonymousIntakeRow.recorded_at)))
    assert stored == [
        datetime(2026, 3, 7, 15, 0, tzinfo=timezone.utc),  # 2026-03-08 00:00 JST
        datetime(2026, 3, 8, 15, 0, tzinfo=timezone.utc),  # 2026-03-09 00:00 JST
    ]
    # The week still comes out right: Sunday is week 10, Monday week 11.
    assert [(c.iso_week, c.count) for c in anonymous_weekly_counts(store, city="ube")] == [
        (10, 1),
        (11, 1),
    ]
