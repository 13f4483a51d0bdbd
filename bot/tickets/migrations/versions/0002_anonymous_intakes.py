"""Anonymous counts of intakes that were not handed over (no consent or cancelled).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anonymous_intakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("city", sa.String(32), nullable=False),
        sa.Column(
            "categories", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_intakes")),
    )
    op.create_index(op.f("ix_anonymous_intakes_recorded_at"), "anonymous_intakes", ["recorded_at"])
    op.create_index(op.f("ix_anonymous_intakes_city"), "anonymous_intakes", ["city"])


def downgrade() -> None:
    op.drop_index(op.f("ix_anonymous_intakes_city"), table_name="anonymous_intakes")
    op.drop_index(op.f("ix_anonymous_intakes_recorded_at"), table_name="anonymous_intakes")
    op.drop_table("anonymous_intakes")
