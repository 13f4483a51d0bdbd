"""Tickets keep when it is safe to contact a resident (abuse, DV) and the kind of danger.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("safe_contact", sa.Text(), nullable=True))
        batch.add_column(sa.Column("crisis_kind", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("crisis_kind")
        batch.drop_column("safe_contact")
