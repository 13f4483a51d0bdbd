"""Funnel ``handoff_accepted``; ``in_intake`` (answers to the intake's questions are withheld).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

``handoff_offered`` turned out to be set after nearly every answer naming a window (the bot
offers a staff contact each time), so it cannot be the escalation: containment computed from
it was close to zero. The escalation is the resident accepting, which Rasa marks by starting
``intake_form`` (see ``bot.analytics.events``). Existing rows get FALSE: a conversation
recorded before this revision is not known to have accepted.

``in_intake`` is the conversation's state (the intake form is running), kept so that an answer
arriving in a later batch than its question is still withheld (see ``bot.analytics.schema``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analytic_conversations") as batch:
        for name in ("handoff_accepted", "in_intake"):
            batch.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
            )


def downgrade() -> None:
    with op.batch_alter_table("analytic_conversations") as batch:
        batch.drop_column("in_intake")
        batch.drop_column("handoff_accepted")
