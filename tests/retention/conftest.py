"""Conversations saved through Rasa's real SQL tracker store, on SQLite and PostgreSQL.

The store fixtures are those of tests/trackers (the class ``bot.trackers.store`` provides).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from tests.trackers.conftest import domain, tracker_db_url, tracker_store

__all__ = ["domain", "tracker_db_url", "tracker_store"]  # fixtures used by these tests

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=timezone.utc)


Conversation = Callable[..., Any]


@pytest.fixture
def save_conversation(tracker_store: Any, domain: Any) -> Conversation:
    """Store a conversation given as (days before NOW, event) pairs."""
    from rasa.shared.core.trackers import DialogueStateTracker

    async def save(sender: str, timeline: list[tuple[float, Any]]) -> None:
        events = []
        for days_ago, event in timeline:
            event.timestamp = NOW.timestamp() - days_ago * 86400
            events.append(event)
        tracker = DialogueStateTracker.from_events(sender, events, slots=domain.slots)
        await tracker_store.save(tracker)

    return save
