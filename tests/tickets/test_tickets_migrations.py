"""The schema exists only through Alembic, on both backends, and matches the ORM mapping."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from bot.tickets import TicketStore, downgrade_database, upgrade_database
from bot.tickets.engine import make_engine
from bot.tickets.migrate import current_revision, head_revision
from bot.tickets.schema import Base

TABLES = {
    "tickets",
    "ticket_events",
    "ticket_sequences",
    "users",
    "api_tokens",
    "anonymous_intakes",
    "console_sessions",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_down_to_base_and_up_again(empty_db_url: str) -> None:
    assert _tables(empty_db_url) == set()

    upgrade_database(empty_db_url)
    assert _tables(empty_db_url) == TABLES
    assert current_revision(empty_db_url) == head_revision()

    downgrade_database(empty_db_url)
    assert _tables(empty_db_url) == set()
    assert current_revision(empty_db_url) is None

    upgrade_database(empty_db_url)
    upgrade_database(empty_db_url)  # a second upgrade at start-up is a no-op
    assert _tables(empty_db_url) == TABLES


def test_migrated_schema_matches_the_orm_mapping(db_url: str) -> None:
    """Catches a model change made without a migration."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_event_log_is_append_only_in_the_database(store: TicketStore, make_submission) -> None:
    """Even SQL outside the store cannot rewrite or delete the audit trail."""
    store.create_ticket(make_submission())
    for statement in ("UPDATE ticket_events SET actor = 'someone'", "DELETE FROM ticket_events"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    assert [e.actor for e in store.events("UBE-2026-000001")] == ["bot"]


def test_0004_gives_tokens_issued_before_it_an_expiry_with_a_grace_period(
    empty_db_url: str,
) -> None:
    """An old integration keeps working for two weeks after the upgrade, then must renew."""
    from datetime import datetime, timedelta, timezone

    upgrade_database(empty_db_url, "0003")
    engine = make_engine(empty_db_url)
    created = datetime(2020, 1, 1, tzinfo=timezone.utc)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (username, password_hash, role, city, disabled, created_at)"
                    " VALUES ('sato', 'x', 'coordinator', 'ube', false, :at)"
                ),
                {"at": created.replace(tzinfo=None)},
            )
            conn.execute(
                text(
                    "INSERT INTO api_tokens (user_id, token_hash, prefix, created_at)"
                    " VALUES (1, 'h', 'itk_abc', :at)"
                ),
                {"at": created.replace(tzinfo=None)},
            )
    finally:
        engine.dispose()
    upgrade_database(empty_db_url)
    store = TicketStore(empty_db_url)
    try:
        token = store.list_api_tokens("sato")[0]
        assert token.expires_at is not None
        assert token.expires_at > datetime.now(timezone.utc) + timedelta(days=13)
        assert token.expires_at < datetime.now(timezone.utc) + timedelta(days=15)
        assert store.get_user("sato").session_epoch == 0
    finally:
        store.dispose()
