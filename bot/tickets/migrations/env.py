"""Alembic environment: one code path for tests, ``intake db upgrade`` and the ``alembic`` CLI.

The database comes from, in order: a connection handed over in ``config.attributes``
(``bot.tickets.migrate`` does this so tests can migrate a schema-isolated engine), the
``sqlalchemy.url`` option, then ``bot.settings`` (never from the environment directly).
"""

from __future__ import annotations

from alembic import context

from bot.tickets.engine import make_engine
from bot.tickets.schema import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.settings import load_settings

    return load_settings().database_url


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode recreates tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
