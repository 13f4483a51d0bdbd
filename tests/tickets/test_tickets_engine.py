"""Database errors never carry a resident's data into the logs."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.tickets.engine import make_engine

PHONE = "090-8765-4321"


def test_a_failed_statement_does_not_show_its_parameters(empty_db_url: str) -> None:
    """A constraint violation is logged with its SQL but without the values (a phone number
    here), because the message of a database error ends up in the server log."""
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE leak_check (contact VARCHAR(32) UNIQUE)"))
        with pytest.raises(IntegrityError) as raised, engine.begin() as connection:
            for _ in range(2):
                connection.execute(
                    text("INSERT INTO leak_check (contact) VALUES (:contact)"),
                    {"contact": PHONE},
                )
        assert "leak_check" in str(raised.value)
        assert PHONE not in str(raised.value)
        assert PHONE not in repr(raised.value)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS leak_check"))
        engine.dispose()
