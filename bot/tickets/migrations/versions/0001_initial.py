"""Initial ticket store: tickets, append-only events, per-city sequences, users, API tokens.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

Note for later migrations: SQLite batch mode recreates a table, which drops its triggers; a
migration that alters ``ticket_events`` must re-create the append-only triggers below.
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
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.Column("city", sa.String(32), nullable=False),
        sa.Column("ref_year", sa.Integer(), nullable=False),
        sa.Column("ref_seq", sa.Integer(), nullable=False),
        sa.Column("categories", _json(), nullable=False),
        sa.Column("window_ids", _json(), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assigned_to", sa.String(64), nullable=True),
        sa.Column("about_whom", sa.String(32), nullable=True),
        sa.Column("age_band", sa.String(32), nullable=True),
        sa.Column("household", sa.String(200), nullable=True),
        sa.Column("urgency", sa.String(16), nullable=True),
        sa.Column("contact_method", sa.String(16), nullable=True),
        sa.Column("contact_value", sa.String(200), nullable=True),
        sa.Column("display_name", sa.String(200), nullable=True),
        sa.Column("worry_text_summary", sa.Text(), nullable=False),
        sa.Column("consent_items", _json(), nullable=False),
        sa.Column("consent_window_ids", _json(), nullable=False),
        _ts("consent_given_at"),
        sa.Column("consent_support_meeting", sa.Boolean(), nullable=False),
        sa.Column("resident_messages", _json(), nullable=False),
        sa.Column("crisis", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint("reference", name="uq_tickets_reference"),
        sa.UniqueConstraint("idempotency_key", name="uq_tickets_idempotency_key"),
    )
    op.create_index("ix_tickets_city", "tickets", ["city"])
    op.create_index("ix_tickets_city_status", "tickets", ["city", "status"])
    op.create_index("ix_tickets_conversation_id", "tickets", ["conversation_id"])

    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        _ts("at"),
        sa.Column("data", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_events"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name="fk_ticket_events_ticket_id_tickets"
        ),
    )
    op.create_index("ix_ticket_events_ticket_id", "ticket_events", ["ticket_id"])

    op.create_table(
        "ticket_sequences",
        sa.Column("city", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("city", "year", name="pk_ticket_sequences"),
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("city", sa.String(32), nullable=False),
        sa.Column("window_id", sa.String(100), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("disabled_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_index("ix_users_city", "users", ["city"])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        _ts("created_at"),
        _ts("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_api_tokens_user_id_users"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])

    _create_append_only_guard()


def downgrade() -> None:
    _drop_append_only_guard()
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index("ix_users_city", table_name="users")
    op.drop_table("users")
    op.drop_table("ticket_sequences")
    op.drop_index("ix_ticket_events_ticket_id", table_name="ticket_events")
    op.drop_table("ticket_events")
    op.drop_index("ix_tickets_conversation_id", table_name="tickets")
    op.drop_index("ix_tickets_city_status", table_name="tickets")
    op.drop_index("ix_tickets_city", table_name="tickets")
    op.drop_table("tickets")


# The event log is the audit trail of who did what to a resident's case; the database itself
# refuses UPDATE and DELETE so that no code path (or ad-hoc SQL) can rewrite history.
def _create_append_only_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'ticket_events is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER ticket_events_append_only BEFORE UPDATE OR DELETE ON ticket_events "
            "FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ticket_events_no_{action.lower()} BEFORE {action} "
                "ON ticket_events BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END"
            )


def _drop_append_only_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ticket_events_append_only ON ticket_events")
        op.execute("DROP FUNCTION ticket_events_append_only()")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER ticket_events_no_{action}")
