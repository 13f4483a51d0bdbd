"""A turn waits on as few PostgreSQL round trips as its work needs.

Rasa's tracker store is synchronous: while it waits for the database, the instance's event
loop serves nobody. With the database on another machine (the production layout), each
command of a turn is a network round trip, so their number, not the work in them, bounds
what an instance serves. A turn needs three: read the conversation, count what is stored,
insert the new events. In transactions they were seven (BEGIN, ROLLBACK, BEGIN, COMMIT).
Without a transaction, each of them must be whole on its own: one INSERT however many rows,
and a save that lost its connection tries again without storing or publishing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from tests.trackers.pg_wire import CountingRelay, counting_relay
from tests.trackers.support import RecordingBroker, add_turn

pytestmark = pytest.mark.postgres


@contextmanager
def _relayed_store(pg_url: str, domain: Any) -> Iterator[tuple[Any, CountingRelay]]:
    """The project's store on ``pg_url``, connected through a relay that counts commands."""
    from bot.privacy.logs import uninstall
    from bot.trackers.store import PrivateSQLTrackerStore

    url = make_url(pg_url)
    with counting_relay(url.host or "127.0.0.1", url.port or 5432) as relay:
        relayed = url.set(host="127.0.0.1", port=relay.port).update_query_dict(
            {"sslmode": "disable", "gssencmode": "disable"}
        )
        store = PrivateSQLTrackerStore(
            domain=domain, host=relayed.render_as_string(hide_password=False)
        )
        try:
            yield store, relay
        finally:
            store.engine.dispose()
            uninstall()


async def test_a_turn_costs_postgresql_three_commands(pg_url: str, domain: Any) -> None:
    """Read, count, insert: three commands a turn, and the conversation read back whole."""
    with _relayed_store(pg_url, domain) as (store, relay):
        tracker = DialogueStateTracker("resident-rt", [])
        add_turn(tracker, 0)
        await store.save(tracker)  # the first turn: the connection is opened and kept
        per_turn = []
        for n in range(1, 4):
            before = relay.commands()
            await store.retrieve("resident-rt")
            add_turn(tracker, n)
            await store.save(tracker)
            per_turn.append(relay.commands() - before)
        stored = await store.retrieve("resident-rt")
    assert per_turn == [3, 3, 3]
    assert stored is not None
    assert [e.as_dict() for e in stored.events] == [e.as_dict() for e in tracker.events]


async def test_a_long_history_saved_at_once_is_one_insert(pg_url: str, domain: Any) -> None:
    """2,500 events saved at once (an imported or replaced conversation) go in one INSERT:
    psycopg2 would split them into pages of 1,000, each its own statement, and without a
    transaction a failure between pages would keep a part of them, never published."""
    with _relayed_store(pg_url, domain) as (store, relay):
        tracker = DialogueStateTracker("resident-long", [])
        add_turn(tracker, 0)
        await store.save(tracker)  # the connection is opened here: count from the next
        before = relay.commands()
        for n in range(1, 626):
            add_turn(tracker, n)
        await store.save(tracker)
        commands = relay.commands() - before
        stored = await store.retrieve("resident-long")
    assert commands == 2  # the count and one INSERT of 2,500 rows
    assert stored is not None and len(stored.events) == len(tracker.events) == 2504


async def test_a_save_whose_reply_was_lost_stores_and_publishes_each_event_once(
    pg_url: str, domain: Any
) -> None:
    """The connection dies after PostgreSQL stored a turn's INSERT but before its reply
    arrived (the statement commits on its own). The save tries once more on a new
    connection: the count finds the rows, nothing is stored twice, and the turn's events
    still reach analytics, once."""
    import psycopg2
    import sqlalchemy as sa

    from bot.privacy.logs import uninstall
    from bot.trackers.store import PrivateSQLTrackerStore

    store = PrivateSQLTrackerStore(domain=domain, host=pg_url)
    broker = RecordingBroker()
    store.event_broker = broker
    lost: list[str] = []

    def lose_the_reply(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT") and not lost:
            lost.append(statement)
            raise psycopg2.OperationalError("server closed the connection unexpectedly")

    try:
        tracker = DialogueStateTracker("resident-lost-reply", [])
        add_turn(tracker, 0)
        await store.save(tracker)
        add_turn(tracker, 1)
        sa.event.listen(store.engine, "after_cursor_execute", lose_the_reply)
        await store.save(tracker)
        sa.event.remove(store.engine, "after_cursor_execute", lose_the_reply)
        stored = await store.retrieve("resident-lost-reply")
    finally:
        store.engine.dispose()
        uninstall()
    assert lost, "the reply was lost once"
    assert stored is not None
    assert [e.as_dict() for e in stored.events] == [e.as_dict() for e in tracker.events]
    assert [[e.get("text") for e in batch if e["event"] == "user"] for batch in broker.batches] == [
        ["message 0"],
        ["message 1"],
    ]
