"""The tracker store `make run` uses keeps conversations in a file under var/ (so they survive
a restart) and keeps resident data out of database error messages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot.retention.tracker_store import PrivateSQLTrackerStore


def test_a_relative_sqlite_file_lives_under_the_var_directory(tmp_path, monkeypatch, domain):
    """`db: trackers.sqlite3` in endpoints.yml means INTAKE_VAR_DIR/trackers.sqlite3, whatever
    directory Rasa was started from."""
    monkeypatch.setenv("INTAKE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    store = PrivateSQLTrackerStore(
        domain=domain, dialect="sqlite", db="trackers.sqlite3", redact_logs=False
    )
    store.engine.dispose()
    assert (tmp_path / "var" / "trackers.sqlite3").is_file()
    assert not (tmp_path / "trackers.sqlite3").exists()


def test_a_failed_insert_does_not_show_the_event(tracker_store) -> None:
    """An event row is the resident's message: a failing statement must not print it."""
    with pytest.raises(IntegrityError) as raised, tracker_store.engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO events (sender_id, type_name, data) VALUES (NULL, 'user', :d)"),
            {"d": '{"text": "090-3333-4444"}'},
        )
    assert "090-3333-4444" not in str(raised.value)
