"""Analytics access: the ``analyst`` role and an admin's grant to other accounts.

* ``users.can_view_analytics``: staff, coordinators and admins see the analytics pages only
  when an admin granted them (issue 10: "staff and coordinators see no analytics unless
  granted"). Existing accounts start without the grant.
* The ``analyst`` role needs no schema change (``users.role`` is a string); an analyst of
  every city has the city ``all`` (``bot.tickets.domain.ALL_CITIES``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default (no batch): SQLite would otherwise copy and
    # drop ``users``, which API tokens and sessions reference.
    op.add_column(
        "users",
        sa.Column(
            "can_view_analytics", sa.Boolean(), nullable=False, server_default=sa.text("false")
        ),
    )


def downgrade() -> None:
    # Analysts cannot exist without the column's revision: refuse rather than leave accounts
    # whose role the older code does not know.
    bind = op.get_bind()
    users = sa.table("users", sa.column("role", sa.String()))
    analysts = bind.execute(
        sa.select(sa.func.count()).select_from(users).where(users.c.role == "analyst")
    ).scalar_one()
    if analysts:
        raise RuntimeError(
            f"{analysts} analyst account(s) exist: disable and delete them before downgrading"
        )
    with op.batch_alter_table("users") as batch:
        batch.drop_column("can_view_analytics")
