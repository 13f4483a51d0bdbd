"""Saving a turn costs the same early and late in a conversation, and analytics gets each event
of it exactly once, in order, after the turn is stored.

Rasa's own SQL store, with an event broker set, reads the whole conversation back from the
database on every save to find the new events (``TrackerStore.stream_events``): a resident's
120th message cost twice their 1st. The project's store finds them with the row count it
already takes, and hands them to the broker in one batch.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.analytics.broker import PrivateSQLEventBroker
from tests.services import schema_of
from tests.trackers.support import RecordingBroker, add_turn


async def test_each_event_reaches_the_broker_once_in_order(tracker_store) -> None:
    """Three turns saved one after another: the broker sees every event once, in order, one
    batch per save, and the database holds the same events."""
    broker = RecordingBroker()
    tracker_store.event_broker = broker
    tracker = DialogueStateTracker("resident-1", [])
    for n in range(3):
        add_turn(tracker, n)
        await tracker_store.save(tracker)
    published = [event for batch in broker.batches for event in batch]
    assert len(broker.batches) == 3
    assert [e["event"] for e in published] == [e.as_dict()["event"] for e in tracker.events]
    assert [e.get("text") for e in published if e["event"] == "user"] == [
        "message 0",
        "message 1",
        "message 2",
    ]
    assert all(e["sender_id"] == "resident-1" for e in published)
    stored = await tracker_store.retrieve("resident-1")
    assert len(stored.events) == len(tracker.events)


async def test_saving_a_late_turn_reads_no_earlier_events(tracker_store) -> None:
    """With 200 turns stored, saving the next one reads no event rows back (only a count), so
    a late turn costs what an early one does."""
    tracker_store.event_broker = RecordingBroker()
    tracker = DialogueStateTracker("resident-2", [])
    for n in range(200):
        add_turn(tracker, n)
    await tracker_store.save(tracker)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(tracker_store.engine, "before_cursor_execute", record)
    try:
        add_turn(tracker, 200)
        await tracker_store.save(tracker)
    finally:
        sa.event.remove(tracker_store.engine, "before_cursor_execute", record)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert reads, "the store must still count what it has"
    assert all(s.lstrip().upper().startswith("SELECT COUNT(") for s in reads), reads


def test_the_sql_broker_writes_a_batch_in_one_transaction(tmp_path) -> None:
    """The embedded broker stores a turn's events with one commit (one per event cost 15–20 ms
    a turn), every event kept, in order."""
    broker = PrivateSQLEventBroker(db=str(tmp_path / "events.sqlite3"))
    commits: list[int] = []
    sa.event.listen(broker.engine, "commit", lambda _conn: commits.append(1))
    events = [
        {"sender_id": "s", "event": "user", "text": f"t{n}", "timestamp": float(n)}
        for n in range(8)
    ]
    broker.publish_many(events)
    with broker.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT data FROM events ORDER BY id")).all()
    broker.engine.dispose()
    assert len(commits) == 1
    assert [row[0] for row in rows] == [json.dumps(event) for event in events]


async def test_the_sqlite_file_is_opened_once_not_every_turn(tmp_path, domain) -> None:
    """Ten saved turns on the embedded SQLite file use one connection (SQLAlchemy 1.4 reopened
    the file, and ran its pragmas, for every session)."""
    from bot.privacy.logs import uninstall
    from bot.trackers.store import PrivateSQLTrackerStore

    store = PrivateSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 't.sqlite3'}")
    opened: list[int] = []
    sa.event.listen(store.engine, "connect", lambda *_: opened.append(1))
    try:
        tracker = DialogueStateTracker("resident-3", [])
        for n in range(10):
            add_turn(tracker, n)
            await store.save(tracker)
            await store.retrieve("resident-3")
    finally:
        store.engine.dispose()
        uninstall()
    assert len(opened) <= 1  # none when the store opened it while it was built (its indexes)


def _production_postgres_store(pg_url: str, domain: Any) -> Any:
    """The store as endpoints.production.yml builds it: ``dialect: postgresql`` and the
    server's keys (Rasa checks the schema only for that driver name, not for a whole URL)."""
    from bot.trackers.store import PrivateSQLTrackerStore

    url = make_url(pg_url)
    return PrivateSQLTrackerStore(
        domain=domain,
        dialect="postgresql",
        host=url.host,
        port=url.port,
        db=url.database,
        username=url.username,
    )


@pytest.mark.postgres
async def test_a_postgresql_schema_is_checked_once_not_every_turn(
    pg_url, domain, monkeypatch
) -> None:
    """With POSTGRESQL_SCHEMA set (as the production layout may), Rasa's store asks
    information_schema whether the schema exists on every read and every save: 7 % of a Rasa
    instance's CPU under load (py-spy, issue 11). The project's store asks once."""
    from bot.privacy.logs import uninstall

    monkeypatch.setenv("POSTGRESQL_SCHEMA", schema_of(pg_url))
    store = _production_postgres_store(pg_url, domain)
    statements: list[str] = []
    sa.event.listen(
        store.engine, "before_cursor_execute", lambda _c, _k, s, *_a: statements.append(s)
    )
    try:
        tracker = DialogueStateTracker("resident-3", [])
        for n in range(3):
            await store.retrieve("resident-3")
            add_turn(tracker, n)
            await store.save(tracker)
        stored = await store.retrieve("resident-3")
    finally:
        store.engine.dispose()
        uninstall()
    assert stored is not None and len(stored.events) == len(tracker.events)
    schema_checks = [s for s in statements if "information_schema.schemata" in s]
    assert len(schema_checks) == 1, schema_checks


@pytest.mark.postgres
def test_a_missing_postgresql_schema_still_stops_the_server(pg_url, domain, monkeypatch) -> None:
    """Checking once must not mean never: a schema that does not exist stops Rasa at its
    first use of the store with Rasa's own message, as before."""
    from bot.privacy.logs import uninstall

    monkeypatch.setenv("POSTGRESQL_SCHEMA", "no_such_schema_for_intake")
    store = _production_postgres_store(pg_url, domain)
    try:
        with pytest.raises(SystemExit), store.session_scope():
            pass
    finally:
        store.engine.dispose()
        uninstall()


async def test_a_turns_events_are_stored_with_one_insert(tracker_store) -> None:
    """A turn is about ten events. Stored as ORM objects on SQLite (the embedded default),
    each was its own INSERT, since the ORM fetches every new row's id (psycopg2 already
    batched them on PostgreSQL). One statement stores them all, in order."""
    tracker = DialogueStateTracker("resident-4", [])
    add_turn(tracker, 0)
    await tracker_store.save(tracker)
    inserts: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(statement)

    sa.event.listen(tracker_store.engine, "before_cursor_execute", record)
    try:
        add_turn(tracker, 1)
        add_turn(tracker, 2)
        await tracker_store.save(tracker)
    finally:
        sa.event.remove(tracker_store.engine, "before_cursor_execute", record)
    assert len(inserts) == 1, inserts
    stored = await tracker_store.retrieve("resident-4")
    assert [e.as_dict() for e in stored.events] == [e.as_dict() for e in tracker.events]


def test_the_sql_broker_writes_a_batch_with_one_insert(tmp_path) -> None:
    """As the tracker store: a turn's events for analytics in one statement (ORM objects on
    SQLite were one INSERT each, 7 % of the instance's CPU under load), in order."""
    broker = PrivateSQLEventBroker(db=str(tmp_path / "events.sqlite3"))
    inserts: list[str] = []
    sa.event.listen(
        broker.engine,
        "before_cursor_execute",
        lambda _c, _k, statement, *_a: (
            inserts.append(statement) if statement.lstrip().upper().startswith("INSERT") else None
        ),
    )
    events = [{"sender_id": "s", "event": "user", "text": f"t{n}"} for n in range(8)]
    broker.publish_many(events)
    with broker.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT sender_id, data FROM events ORDER BY id")).all()
    broker.engine.dispose()
    assert len(inserts) == 1, inserts
    assert [tuple(row) for row in rows] == [("s", json.dumps(event)) for event in events]


async def _database_steps_for_a_turn(store: Any, sender: str, earlier_sessions: int) -> int:
    """SQLite VM instructions to read a conversation's latest session and save one turn, after
    ``earlier_sessions`` sessions of 20 turns (plus the current one's 10)."""
    timestamp = 1_000.0
    for session in range(earlier_sessions + 1):
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, [])
        tracker.update(ActionExecuted("action_session_start", timestamp=timestamp))
        tracker.update(SessionStarted(timestamp=timestamp))
        for n in range(20 if session < earlier_sessions else 10):
            timestamp += 1
            tracker.update(UserUttered(f"m{n}", timestamp=timestamp))
            tracker.update(ActionExecuted("action_listen", timestamp=timestamp))
        await store.save(tracker)
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    # The pool keeps the one connection these sequential calls use: count on it.
    assert store.engine.pool.checkedin() == 1
    raw = store.engine.raw_connection()
    sqlite = raw.driver_connection
    raw.close()
    sqlite.set_progress_handler(count, 1)
    try:
        tracker = await store.retrieve(sender)
        tracker.update(UserUttered("next", timestamp=timestamp + 1))
        await store.save(tracker)
    finally:
        sqlite.set_progress_handler(None, 1)
    return steps[0]


async def test_a_turn_costs_the_database_the_same_after_many_sessions(tmp_path, domain) -> None:
    """Sessions bound what a turn reads back, but finding the latest session scanned every
    event the resident ever had (the max() and the filter both walked the sender's rows): a
    resident's 200th message cost the database ten times their 10th. With indexes on
    (sender, type, time) and (sender, time) it costs the same."""
    from bot.privacy.logs import uninstall
    from bot.trackers.store import PrivateSQLTrackerStore

    store = PrivateSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 't.sqlite3'}")
    try:
        fresh = await _database_steps_for_a_turn(store, "new-resident", 0)
        long = await _database_steps_for_a_turn(store, "long-resident", 10)
    finally:
        store.engine.dispose()
        uninstall()
    assert long < 1.3 * fresh, (fresh, long)
