"""A turn waits on as few PostgreSQL round trips as its work needs.

Rasa's tracker store is synchronous: while it waits for the database, the instance's event
loop serves nobody. With the database on another machine (the production layout), each
command of a turn is a network round trip, so their number, not the work in them, bounds
what an instance serves. A turn needs three: read the conversation, count what is stored,
insert the new events. In transactions they were seven (BEGIN, ROLLBACK, BEGIN, COMMIT).
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from tests.trackers.pg_wire import counting_relay

pytestmark = pytest.mark.postgres


def _turn(tracker: DialogueStateTracker, n: int) -> None:
    tracker.update(UserUttered(f"message {n}", {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered(f"reply {n}"))
    tracker.update(ActionExecuted("action_listen"))


async def test_a_turn_costs_postgresql_three_commands(pg_url: str, domain: Any) -> None:
    """Read, count, insert: three commands a turn, and the conversation read back whole."""
    from bot.privacy.logs import uninstall
    from bot.trackers.store import PrivateSQLTrackerStore

    url = make_url(pg_url)
    with counting_relay(url.host or "127.0.0.1", url.port or 5432) as relay:
        relayed = url.set(host="127.0.0.1", port=relay.port).update_query_dict(
            {"sslmode": "disable"}
        )
        store = PrivateSQLTrackerStore(
            domain=domain, host=relayed.render_as_string(hide_password=False)
        )
        try:
            tracker = DialogueStateTracker("resident-rt", [])
            _turn(tracker, 0)
            await store.save(tracker)  # the first turn: the connection is opened and kept
            per_turn = []
            for n in range(1, 4):
                before = relay.commands()
                await store.retrieve("resident-rt")
                _turn(tracker, n)
                await store.save(tracker)
                per_turn.append(relay.commands() - before)
            stored = await store.retrieve("resident-rt")
        finally:
            store.engine.dispose()
            uninstall()
    assert per_turn == [3, 3, 3]
    assert stored is not None
    assert [e.as_dict() for e in stored.events] == [e.as_dict() for e in tracker.events]
