"""Analytic tables: messages, conversations (funnel), analysts' labels, source offsets.

Revision ID: 0001
Revises:
Create Date: 2026-05-01

The analytics history is separate from the ticket store's (version table
``alembic_version_analytics``), so its revision ids may repeat the tickets' ones.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "analytic_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(64), nullable=False),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        _ts("occurred_at"),
        sa.Column("jst_date", sa.Date(), nullable=False),
        sa.Column("iso_year", sa.Integer(), nullable=False),
        sa.Column("iso_week", sa.Integer(), nullable=False),
        sa.Column("hour_jst", sa.Integer(), nullable=False),
        sa.Column("weekday_jst", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("city", sa.String(32), nullable=True),
        sa.Column("categories", _json(), nullable=False),
        sa.Column("confidences", _json(), nullable=False),
        sa.Column("crisis", sa.Boolean(), nullable=False),
        sa.Column("crisis_kind", sa.String(20), nullable=True),
        sa.Column("fallback", sa.String(20), nullable=True),
        sa.Column("all_routed", sa.Boolean(), nullable=True),
        sa.Column("unrouted", _json(), nullable=False),
        sa.Column("is_payload", sa.Boolean(), nullable=False),
        sa.Column("masked_text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytic_messages")),
        sa.UniqueConstraint("event_key", name=op.f("uq_analytic_messages_event_key")),
    )
    op.create_index(
        "ix_analytic_messages_conversation_hash", "analytic_messages", ["conversation_hash"]
    )
    op.create_index(
        "ix_analytic_messages_city_iso_week", "analytic_messages", ["city", "iso_year", "iso_week"]
    )
    op.create_index("ix_analytic_messages_occurred_at", "analytic_messages", ["occurred_at"])

    op.create_table(
        "analytic_conversations",
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("city", sa.String(32), nullable=True),
        _ts("started_at"),
        _ts("last_event_at"),
        sa.Column("worry_recognised", sa.Boolean(), nullable=False),
        sa.Column("window_shown", sa.Boolean(), nullable=False),
        sa.Column("handoff_offered", sa.Boolean(), nullable=False),
        sa.Column("consent_given", sa.Boolean(), nullable=False),
        sa.Column("consent_refused", sa.Boolean(), nullable=False),
        sa.Column("ticket_created", sa.Boolean(), nullable=False),
        sa.Column("crisis", sa.Boolean(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_hash", name=op.f("pk_analytic_conversations")),
    )
    op.create_index(
        "ix_analytic_conversations_city_started_at",
        "analytic_conversations",
        ["city", "started_at"],
    )

    op.create_table(
        "analytic_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("cluster_key", sa.String(64), nullable=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("labelled_by", sa.String(64), nullable=False),
        _ts("labelled_at"),
        sa.CheckConstraint(
            "message_id IS NOT NULL OR cluster_key IS NOT NULL",
            name=op.f("ck_analytic_labels_message_or_cluster"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["analytic_messages.id"],
            name=op.f("fk_analytic_labels_message_id_analytic_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytic_labels")),
    )
    op.create_index("ix_analytic_labels_message_id", "analytic_labels", ["message_id"])
    op.create_index("ix_analytic_labels_cluster_key", "analytic_labels", ["cluster_key"])

    op.create_table(
        "analytic_offsets",
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_analytic_offsets")),
    )


def downgrade() -> None:
    op.drop_table("analytic_offsets")
    op.drop_table("analytic_labels")
    op.drop_table("analytic_conversations")
    op.drop_table("analytic_messages")
