"""PostgreSQL restarted under a running Rasa: the next turn continues the conversation.

A restart (a crash, a failover, a minor-version upgrade) kills every connection the tracker
store keeps in its pool. The first statement after it fails on the dead connection. In the
read, Rasa's ``FailSafeTrackerStore`` turns that failure into "no conversation", so the
resident's turn ran on a new, empty conversation — their city, worries and pending offer
forgotten — and its save, counting the stored session's events, skipped that many of the new
ones: the turn was lost, or mixed into the old session. The store now tries once more on a
new connection when the one it had was found dead.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import PROJECT_ROOT
from tests.faults.conftest import OwnPostgres, _wait_accepting
from tests.trackers.support import add_turn

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _restart(server: OwnPostgres) -> None:
    server.stop()  # immediate: every backend killed, as in a crash
    server.start()
    _wait_accepting(server.url)


async def test_the_turn_after_a_postgresql_restart_reads_and_stores_the_conversation(
    faults_postgres: OwnPostgres,
) -> None:
    """Two turns stored; PostgreSQL restarted; the read (through Rasa's fail-safe wrapper,
    as Rasa serves it) returns the conversation, not nothing; restarted again, the next
    save stores exactly the new turn; the conversation read back is whole and in order."""
    from bot.privacy.logs import uninstall
    from bot.trackers.store import PrivateSQLTrackerStore

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    store = PrivateSQLTrackerStore(domain=domain, host=faults_postgres.url)
    served: Any = FailSafeTrackerStore(store)
    try:
        tracker = DialogueStateTracker("resident-restart", domain.slots)
        tracker.update(SlotSet("city", "kurume"))
        for n in range(2):
            add_turn(tracker, n)
            await served.save(tracker)

        _restart(faults_postgres)
        read = await served.retrieve("resident-restart")
        assert read is not None, "the conversation was lost: the turn would start afresh"
        assert read.get_slot("city") == "kurume"
        assert len(read.events) == len(tracker.events)

        add_turn(read, 2)
        _restart(faults_postgres)
        await served.save(read)
        stored = await store.retrieve("resident-restart")
    finally:
        store.engine.dispose()
        uninstall()
    assert stored is not None
    assert [e.as_dict() for e in stored.events] == [e.as_dict() for e in read.events]
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == [
        "message 0",
        "message 1",
        "message 2",
    ]
