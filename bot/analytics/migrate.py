"""Run the analytics migrations from code (tests, the ingestion worker's start-up, the CLI).

Like ``bot.tickets.migrate``, the Alembic configuration is built here rather than read from
``alembic.ini``, so it works from an installed package. The analytic history is its own
(version table ``alembic_version_analytics``): upgrading it never touches the ticket tables,
whether both live in one database or not. There is no ``create_all`` anywhere: the schema is
whatever these migrations made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from bot.tickets.engine import as_engine
from bot.tickets.migrate import alembic_config as tickets_alembic_config
from bot.tickets.migrate import run_migration

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version_analytics"
TABLE_PREFIX = "analytic_"

__all__ = [
    "alembic_config",
    "current_revision",
    "downgrade_analytics",
    "head_revision",
    "include_name",
    "upgrade_analytics",
]


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """Compare only the analytic tables: a shared database's ticket tables are not ours."""
    if type_ == "table":
        return bool(name) and str(name).startswith(TABLE_PREFIX)
    return True


def alembic_config(url: str | None = None) -> Config:
    """Configuration for the analytic history (for ``alembic -c`` use, pass it in code)."""
    return tickets_alembic_config(url, migrations_dir=MIGRATIONS_DIR)


def upgrade_analytics(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Bring the analytic tables up to ``revision`` (a no-op when already there)."""
    run_migration(engine_or_url, "upgrade", revision, MIGRATIONS_DIR)


def downgrade_analytics(engine_or_url: Engine | str, revision: str = "base") -> None:
    """Go back to ``revision``; ``base`` drops every analytic table (and only those)."""
    run_migration(engine_or_url, "downgrade", revision, MIGRATIONS_DIR)


def current_revision(engine_or_url: Engine | str) -> str | None:
    """The analytic history's revision in that database (None: never migrated)."""
    engine = as_engine(engine_or_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            return context.get_current_revision()
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
