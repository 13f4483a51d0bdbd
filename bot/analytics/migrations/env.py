"""Alembic environment of the analytic tables (not the ticket store's).

Separate history, separate version table (``alembic_version_analytics``), and only tables
named ``analytic_*`` are compared or touched: the analytic tables can then live in the ticket
store's database without either history seeing the other's tables as "to be dropped".

The database comes from a connection handed over in ``config.attributes`` (what
``bot.analytics.migrate`` does), else the ``sqlalchemy.url`` option. There is no settings
fallback here on purpose: the URL is the caller's (``ANALYTICS_DATABASE_URL`` or the ticket
store's ``DATABASE_URL``), decided where the settings are read.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from bot.analytics.migrate import VERSION_TABLE, include_name
from bot.analytics.schema import AnalyticBase
from bot.tickets.engine import make_engine

config = context.config
target_metadata = AnalyticBase.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: use bot.analytics.migrate.upgrade_analytics(url)")
    return url


def _options() -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "version_table": VERSION_TABLE,
        "include_name": include_name,
        "render_as_batch": True,  # SQLite cannot ALTER most things; batch mode recreates tables
    }


def _run(connection: object) -> None:
    context.configure(connection=connection, compare_type=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=_url(), literal_binds=True, **_options())
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
