"""Human-readable ticket references such as ``UBE-2026-000123``.

The number is per city and per year, so residents and staff can read a reference over the
phone. It is allocated from the ``ticket_sequences`` row of (city, year): the UPDATE takes a
row lock held until commit, so concurrent creations on PostgreSQL queue up instead of reading
the same value, and a rolled-back creation gives its number back.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.tickets.schema import TicketSequenceRow

REFERENCE_RE = re.compile(r"^(?P<city>[A-Z][A-Z0-9_]{1,31})-(?P<year>\d{4})-(?P<seq>\d{6,})$")


def format_reference(city: str, year: int, seq: int) -> str:
    return f"{city.upper()}-{year:04d}-{seq:06d}"


def normalize_reference(reference: str) -> str:
    """Staff type references by hand; accept lower case and surrounding spaces."""
    return reference.strip().upper()


def is_reference(reference: str) -> bool:
    return bool(REFERENCE_RE.match(normalize_reference(reference)))


def local_year(moment: datetime, tz_name: str) -> int:
    """The year as the city counts it: 2026-01-01 08:00 JST is still 2025 in UTC."""
    return moment.astimezone(ZoneInfo(tz_name)).year


def allocate_sequence(session: Session, city: str, year: int) -> int:
    """Next number for (city, year) inside the caller's transaction.

    If the row does not exist yet it is inserted; a concurrent first insert makes the caller's
    commit fail with IntegrityError, and the caller retries (the row then exists).
    """
    key = (TicketSequenceRow.city == city, TicketSequenceRow.year == year)
    result = session.execute(
        update(TicketSequenceRow)
        .where(*key)
        .values(last_value=TicketSequenceRow.last_value + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        session.add(TicketSequenceRow(city=city, year=year, last_value=1))
        session.flush()
        return 1
    return int(session.execute(select(TicketSequenceRow.last_value).where(*key)).scalar_one())
