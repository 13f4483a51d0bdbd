"""Run the Alembic migrations from code (tests, ``intake db upgrade``, start-up).

The Alembic configuration is built here rather than read from ``alembic.ini`` so that it works
from an installed package, where there is no project root to find an ini file in.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine, make_url

from bot.tickets.engine import as_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None, migrations_dir: Path = MIGRATIONS_DIR) -> Config:
    """Configuration for one migration history (the tickets' by default; analytics have theirs)."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    if url:
        # ConfigParser interpolation would choke on "%" in URL-encoded passwords.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _ensure_sqlite_dir(engine: Engine) -> None:
    url = make_url(str(engine.url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def run_migration(
    engine_or_url: Engine | str, action: str, revision: str, migrations_dir: Path = MIGRATIONS_DIR
) -> None:
    """Run ``alembic <action> <revision>`` for one history, in one transaction."""
    engine = as_engine(engine_or_url)
    try:
        _ensure_sqlite_dir(engine)
        with engine.begin() as connection:
            config = alembic_config(migrations_dir=migrations_dir)
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def upgrade_database(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (idempotent: a no-op when already there)."""
    run_migration(engine_or_url, "upgrade", revision)


def downgrade_database(engine_or_url: Engine | str, revision: str = "base") -> None:
    """Go back to ``revision``; ``base`` drops every ticket table (tests, disaster recovery)."""
    run_migration(engine_or_url, "downgrade", revision)


def current_revision(engine_or_url: Engine | str) -> str | None:
    engine = as_engine(engine_or_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
