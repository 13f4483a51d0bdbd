"""The tracker store both endpoints files name keeps conversations in a file under var/ (so
they survive a restart), keeps resident data out of database error messages, and switches on
the Rasa process's log redaction."""

from __future__ import annotations

import io
import logging

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot.privacy.logs import REDACTION_ON, is_installed, uninstall
from bot.trackers.store import PrivateSQLTrackerStore
from tests.trackers.support import RecordingBroker


def test_a_relative_sqlite_file_lives_under_the_var_directory(tmp_path, monkeypatch, domain):
    """`db: trackers.sqlite3` in endpoints.yml means INTAKE_VAR_DIR/trackers.sqlite3, whatever
    directory Rasa was started from."""
    monkeypatch.setenv("INTAKE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    store = PrivateSQLTrackerStore(domain=domain, dialect="sqlite", db="trackers.sqlite3")
    store.engine.dispose()
    uninstall()
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


def test_building_the_store_redacts_the_rasa_processs_logs(tracker_db_url, domain) -> None:
    """Rasa builds the tracker store before it serves: from then on a phone number in any log
    line is hidden, and the log says once that redaction is on. Building a second store (Rasa
    reloading a model) changes nothing."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    stores = []
    try:
        assert not is_installed()
        for _ in range(2):
            stores.append(PrivateSQLTrackerStore(domain=domain, host=tracker_db_url))
        logging.getLogger("rasa.core.channels.rest").warning("failed turn: 090-3333-4444")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for store in stores:
            store.engine.dispose()
        uninstall()
    output = stream.getvalue()
    assert "090-3333-4444" not in output and "failed turn" in output
    assert output.count(REDACTION_ON) == 1


def test_the_sqlite_file_is_written_ahead(tmp_path, domain) -> None:
    """The embedded tracker file is in WAL mode: a turn's commit is an append rather than an
    fsync, and the purge or console reading it does not block Rasa writing the next turn."""
    path = tmp_path / "trackers.sqlite3"
    store = PrivateSQLTrackerStore(domain=domain, host=f"sqlite:///{path}")
    try:
        with store.engine.connect() as connection:
            connection.execute(sa.text("SELECT count(*) FROM events")).all()
        with sa.create_engine(f"sqlite:///{path}").connect() as other:
            assert other.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        store.engine.dispose()
        uninstall()


async def test_reads_what_rasas_own_store_reads(tracker_store, tracker_db_url, domain) -> None:
    """The store's own statements (built once, not per turn) read what Rasa's queries read: the
    latest session for a turn, every session for the full tracker, and the count that tells
    a save which events are new."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker("resident-5", [])
    for session in range(3):
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted(timestamp=1_000.0 * (session + 1)))
        for n in range(2):
            tracker.update(UserUttered(f"s{session} m{n}", timestamp=1_000.0 * (session + 1) + n))
            tracker.update(ActionExecuted("action_listen", timestamp=1_000.0 * (session + 1) + n))
        await tracker_store.save(tracker)
    rasas = SQLTrackerStore(domain=domain, host=tracker_db_url)
    try:
        for ours, theirs in (
            (await tracker_store.retrieve("resident-5"), await rasas.retrieve("resident-5")),
            (
                await tracker_store.retrieve_full_tracker("resident-5"),
                await rasas.retrieve_full_tracker("resident-5"),
            ),
        ):
            assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in theirs.events]
        assert await tracker_store.retrieve("nobody") is None
        # A turn works on the tracker as read back (the latest session only).
        current = await tracker_store.retrieve("resident-5")
        current.update(UserUttered("new", timestamp=3_100.0))
        with rasas.session_scope() as theirs_session:
            expected = [e.as_dict() for e in rasas._additional_events(theirs_session, current)]
        broker = RecordingBroker()
        tracker_store.event_broker = broker
        await tracker_store.save(current)  # stores and publishes what it counts as new
        new = [{k: v for k, v in e.items() if k != "sender_id"} for e in broker.batches[0]]
        assert new == expected
        assert [e["text"] for e in new] == ["new"]
    finally:
        rasas.engine.dispose()
