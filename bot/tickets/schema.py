"""ORM mapping of the ticket tables.

This module *describes* the tables for queries; it never creates them. The schema is owned by
the Alembic migrations in ``bot/tickets/migrations`` (keep both in step; ``alembic check``
against a migrated database shows drift).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import declarative_base

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON everywhere, JSONB on PostgreSQL so that "list contains" (``@>``) is cheap.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are stored as naive
    UTC and given back their ``timezone.utc`` on the way out. Naive input is refused: a naive
    time in this codebase is always a bug (JST or UTC?).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


Base: Any = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_city_status", "city", "status"),
        Index("ix_tickets_sender_hash_created_at", "sender_hash", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    reference = Column(String(40), nullable=False, unique=True)
    idempotency_key = Column(String(200), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    city = Column(String(32), nullable=False, index=True)
    ref_year = Column(Integer, nullable=False)
    ref_seq = Column(Integer, nullable=False)
    categories = Column(JSONType, nullable=False)
    window_ids = Column(JSONType, nullable=False)
    priority = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False)
    assigned_to = Column(String(64), nullable=True)
    about_whom = Column(String(32), nullable=True)
    age_band = Column(String(32), nullable=True)
    household = Column(String(200), nullable=True)
    urgency = Column(String(16), nullable=True)
    contact_method = Column(String(16), nullable=True)
    contact_value = Column(String(200), nullable=True)
    display_name = Column(String(200), nullable=True)
    safe_contact = Column(Text, nullable=True)
    worry_text_summary = Column(Text, nullable=False)
    consent_items = Column(JSONType, nullable=False)
    consent_window_ids = Column(JSONType, nullable=False)
    consent_given_at = Column(UTCDateTime, nullable=False)
    consent_support_meeting = Column(Boolean, nullable=False)
    resident_messages = Column(JSONType, nullable=False)
    crisis = Column(Boolean, nullable=False)
    crisis_kind = Column(String(20), nullable=True)
    channel = Column(String(16), nullable=False)
    conversation_id = Column(String(200), nullable=False, index=True)
    # Per-sender review flag (migration 0004): SHA-256 of the sender id, counted per 24 hours.
    sender_hash = Column(String(64), nullable=True)
    needs_review = Column(Boolean, nullable=False, default=False)
    review_reason = Column(String(200), nullable=True)


class TicketEventRow(Base):
    __tablename__ = "ticket_events"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)
    actor = Column(String(64), nullable=False)
    at = Column(UTCDateTime, nullable=False)
    data = Column(JSONType, nullable=False)


class TicketSequenceRow(Base):
    """Last reference number handed out per city and year (row lock = race-free numbering)."""

    __tablename__ = "ticket_sequences"

    city = Column(String(32), primary_key=True)
    year = Column(Integer, primary_key=True)
    last_value = Column(Integer, nullable=False)


class UserRow(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(200), nullable=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)
    city = Column(String(32), nullable=False, index=True)
    window_id = Column(String(100), nullable=True)
    disabled = Column(Boolean, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    disabled_at = Column(UTCDateTime, nullable=True)
    # Bumped by password change and disable: every console session of an older epoch ends.
    session_epoch = Column(Integer, nullable=False, default=0)
    # An admin's grant of the analytics pages to a non-analyst account (migration 0005).
    can_view_analytics = Column(Boolean, nullable=False, default=False)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    prefix = Column(String(16), nullable=False)
    label = Column(String(200), nullable=True)
    created_at = Column(UTCDateTime, nullable=False)
    revoked_at = Column(UTCDateTime, nullable=True)
    expires_at = Column(UTCDateTime, nullable=False)
    last_used_at = Column(UTCDateTime, nullable=True)


class AnonymousIntakeRow(Base):
    """An intake that was not handed over (no consent, or cancelled): counts only.

    No text, contact or conversation id is kept: without consent only the anonymous counts
    are allowed, and they are what the unmet-needs review needs (city, categories, week).
    """

    __tablename__ = "anonymous_intakes"

    id = Column(Integer, primary_key=True)
    recorded_at = Column(UTCDateTime, nullable=False, index=True)
    city = Column(String(32), nullable=False, index=True)
    categories = Column(JSONType, nullable=False)
    outcome = Column(String(32), nullable=False)


class ConsoleSessionRow(Base):
    """A staff console session (the default backend; Redis when configured).

    The cookie holds a random id; only its SHA-256 is stored, so a copy of this table does not
    let anyone take over a session. Rows past ``expires_at`` are dead and pruned on login.
    """

    __tablename__ = "console_sessions"

    id_hash = Column(String(64), primary_key=True)
    username = Column(String(64), nullable=True, index=True)
    data = Column(JSONType, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False, index=True)
