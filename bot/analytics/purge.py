"""Retention of the analytic rows: ``intake analytics purge --older-than DAYS``.

Masked rows are not personal data by design, but masking is a filter, not a proof: what it
misses should not stay for ever. The default period (``ANALYTICS_RETENTION_DAYS``, 400 days)
keeps a year and a month, so a planning meeting can compare a month with the same month a
year before.

Deleted, by time (UTC): messages that occurred before the cut-off with the labels analysts put
on them (explicitly: SQLite enforces the ``ON DELETE CASCADE`` only when asked), and
conversations whose last event is before it. A conversation still active keeps its row; its
old messages go. Cluster labels with no message (``message_id`` NULL) are analysts' own words
about a group, not residents' messages, and stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from bot.analytics.schema import ConversationRow, LabelRow, MessageRow

__all__ = ["PurgeResult", "purge_analytics"]

MESSAGES = MessageRow.__table__
CONVERSATIONS = ConversationRow.__table__
LABELS = LabelRow.__table__


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    messages: int
    conversations: int
    labels: int


def purge_analytics(
    engine: Engine, older_than: timedelta, *, now: datetime | None = None
) -> PurgeResult:
    """Delete analytic rows older than ``older_than`` in one transaction."""
    if older_than <= timedelta(0):
        raise ValueError("the retention period must be positive")
    cutoff = (now or datetime.now(timezone.utc)).astimezone(timezone.utc) - older_than
    old_messages = select(MESSAGES.c.id).where(MESSAGES.c.occurred_at < cutoff)
    with engine.begin() as connection:
        labels = connection.execute(delete(LABELS).where(LABELS.c.message_id.in_(old_messages)))
        messages = connection.execute(delete(MESSAGES).where(MESSAGES.c.occurred_at < cutoff))
        conversations = connection.execute(
            delete(CONVERSATIONS).where(CONVERSATIONS.c.last_event_at < cutoff)
        )
    return PurgeResult(
        cutoff,
        int(messages.rowcount or 0),
        int(conversations.rowcount or 0),
        int(labels.rowcount or 0),
    )
