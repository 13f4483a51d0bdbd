"""A real Rasa SQL tracker store (the project's class) on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from bot.settings import PROJECT_ROOT

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def domain() -> Any:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def tracker_db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'trackers.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def tracker_store(tracker_db_url: str, domain: Any) -> Iterator[Any]:
    from bot.retention.tracker_store import PrivateSQLTrackerStore

    store = PrivateSQLTrackerStore(domain=domain, host=tracker_db_url, redact_logs=False)
    yield store
    store.engine.dispose()


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
