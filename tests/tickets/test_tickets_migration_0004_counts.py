"""Migration 0004 gives anonymous counts recorded before it the day, not the microsecond.

A declined intake's exact time beside its city and categories could be matched with another
record (a LINE message, a phone call) to find the resident who declined. New counts keep only
the day (``bot.tickets.analytics.day_start``); the upgrade truncates the old ones the same way,
to midnight of their day in Japan, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from bot.tickets import TicketStore, upgrade_database
from bot.tickets.analytics import day_start
from bot.tickets.engine import make_engine
from bot.tickets.schema import AnonymousIntakeRow

JST = ZoneInfo("Asia/Tokyo")
UTC = timezone.utc

RECORDED = [
    datetime(2026, 3, 10, 14, 59, 59, 123456, tzinfo=UTC),  # 23:59:59 JST on the 10th
    datetime(2026, 3, 10, 15, 0, 0, 500000, tzinfo=UTC),  # 00:00:00.5 JST on the 11th
    datetime(2026, 3, 9, 15, 0, tzinfo=UTC),  # already midnight JST (the 10th)
]


def test_0004_truncates_old_anonymous_counts_to_their_day_in_japan(empty_db_url: str) -> None:
    upgrade_database(empty_db_url, "0003")
    engine = make_engine(empty_db_url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.begin() as conn:
            for at in RECORDED:
                conn.execute(
                    text(
                        "INSERT INTO anonymous_intakes (recorded_at, city, categories, outcome)"
                        " VALUES (:at, 'ube', '[\"生活困窮\"]', 'cancelled')"
                    ),
                    {"at": at.replace(tzinfo=None) if sqlite else at},
                )
    finally:
        engine.dispose()

    upgrade_database(empty_db_url)

    store = TicketStore(empty_db_url)
    try:
        with store.session() as session:
            stored = list(
                session.scalars(
                    select(AnonymousIntakeRow.recorded_at).order_by(AnonymousIntakeRow.id)
                )
            )
    finally:
        store.dispose()
    assert stored == [
        datetime(2026, 3, 10, tzinfo=JST),
        datetime(2026, 3, 11, tzinfo=JST),
        datetime(2026, 3, 10, tzinfo=JST),
    ]
    assert stored == [day_start(at, "Asia/Tokyo") for at in RECORDED]  # as new counts are
    assert all(at.microsecond == 0 and at.astimezone(JST).hour == 0 for at in stored)
