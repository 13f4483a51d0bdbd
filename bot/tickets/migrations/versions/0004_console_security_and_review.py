"""Console security and per-sender review.

* ``console_sessions``: server-side console sessions (the cookie holds only a random id).
* ``users.session_epoch``: bumped on password change and disable; older sessions are dead.
* ``api_tokens.expires_at`` / ``last_used_at``: tokens expire and show their last use. Tokens
  issued before this revision expire 90 days after their creation, or in 14 days if that has
  already passed, so an integration keeps working long enough to be given a new token.
* ``tickets.sender_hash`` / ``needs_review`` / ``review_reason``: more than a few tickets per
  sender per day are marked for review (counted by the SHA-256 of the sender id).
* ``anonymous_intakes.recorded_at``: counts recorded before this revision kept the exact time;
  they now keep midnight (Japan time) of their day, as new counts do. An exact time beside a
  city and categories could single out the resident who declined. Not undone by downgrade.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LEGACY_TOKEN_DAYS = 90
LEGACY_TOKEN_GRACE_DAYS = 14
# The day of an anonymous count is the day in Japan (bot.tickets.analytics.day_start with the
# default INTAKE_TIMEZONE), frozen here like everything a migration does.
COUNTS_ZONE = ZoneInfo("Asia/Tokyo")


def _sender_hash(sender_id: str) -> str:
    # Frozen copy of bot.tickets.review.sender_hash (migrations must not follow code changes).
    return hashlib.sha256(f"intake-sender:{sender_id}".encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _day_start(value: datetime) -> datetime:
    """Midnight, in COUNTS_ZONE, of the day ``value`` (UTC if naive) falls on; in UTC."""
    local = _aware(value).astimezone(COUNTS_ZONE)
    return datetime(local.year, local.month, local.day, tzinfo=COUNTS_ZONE).astimezone(timezone.utc)


def _truncate_anonymous_counts(bind: sa.engine.Connection, sqlite: bool) -> None:
    """In Python over the rows: date arithmetic in a time zone is not portable SQL."""
    counts = sa.table(
        "anonymous_intakes",
        sa.column("id", sa.Integer()),
        sa.column("recorded_at", sa.DateTime(timezone=True)),
    )
    for count_id, recorded_at in bind.execute(sa.select(counts.c.id, counts.c.recorded_at)).all():
        day = _day_start(recorded_at)
        if day != _aware(recorded_at):
            bind.execute(
                counts.update()
                .where(counts.c.id == count_id)
                .values(recorded_at=day.replace(tzinfo=None) if sqlite else day)
            )


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"

    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_console_sessions")),
    )
    op.create_index(op.f("ix_console_sessions_username"), "console_sessions", ["username"])
    op.create_index(op.f("ix_console_sessions_expires_at"), "console_sessions", ["expires_at"])

    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table(
        "api_tokens",
        sa.column("id", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    for token_id, created_at in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        expires = _aware(created_at) + timedelta(days=LEGACY_TOKEN_DAYS)
        if expires < now:
            expires = now + timedelta(days=LEGACY_TOKEN_GRACE_DAYS)
        value = expires.astimezone(timezone.utc)
        bind.execute(
            tokens.update()
            .where(tokens.c.id == token_id)
            .values(expires_at=value.replace(tzinfo=None) if sqlite else value)
        )
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("sender_hash", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("needs_review", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("review_reason", sa.String(200), nullable=True))
    tickets = sa.table(
        "tickets",
        sa.column("id", sa.Integer()),
        sa.column("conversation_id", sa.String(200)),
        sa.column("sender_hash", sa.String(64)),
    )
    rows = bind.execute(sa.select(tickets.c.id, tickets.c.conversation_id)).all()
    for ticket_id, conversation_id in rows:
        bind.execute(
            tickets.update()
            .where(tickets.c.id == ticket_id)
            .values(sender_hash=_sender_hash(conversation_id))
        )
    op.create_index("ix_tickets_sender_hash_created_at", "tickets", ["sender_hash", "created_at"])

    _truncate_anonymous_counts(bind, sqlite)


def downgrade() -> None:
    op.drop_index("ix_tickets_sender_hash_created_at", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("review_reason")
        batch.drop_column("needs_review")
        batch.drop_column("sender_hash")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_epoch")
    op.drop_index(op.f("ix_console_sessions_expires_at"), table_name="console_sessions")
    op.drop_index(op.f("ix_console_sessions_username"), table_name="console_sessions")
    op.drop_table("console_sessions")
