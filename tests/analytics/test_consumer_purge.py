"""Retention of analytic rows: ``intake analytics purge --older-than DAYS`` (issue 10).

Protected behaviour, on SQLite and PostgreSQL: rows older than the period go (messages, the
labels on them, conversations whose last event is older), newer ones stay, a conversation
that is still active keeps its row; the command line takes the period or the configured
default.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from bot.analytics.migrate import upgrade_analytics
from bot.analytics.purge import purge_analytics
from bot.analytics.schema import ConversationRow, LabelRow, MessageRow
from bot.analytics.store import AnalyticsStore
from bot.cli import main
from tests.analytics.consumer_support import SALT

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)


def _user(sender: str, at: datetime, n: int) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "event": "user",
        "timestamp": at.timestamp(),
        "text": "家賃が払えません",
        "message_id": f"{sender}-{n}",
        "input_channel": "rest",
        "parse_data": {"intent": {"name": "share_worry", "confidence": 0.9}, "entities": []},
    }


def _count(store: AnalyticsStore, table: Any) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'analytics.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


def test_purge_deletes_old_rows_and_keeps_newer_ones(url: str) -> None:
    upgrade_analytics(url)
    store = AnalyticsStore(url, salt=SALT)
    old, recent = NOW - timedelta(days=45), NOW - timedelta(days=5)
    store.record(
        [
            _user("old", old, 1),  # a conversation that ended 45 days ago
            _user("active", old, 1),  # started then, still talking 5 days ago
            _user("active", recent, 2),
            _user("new", recent, 1),
        ]
    )
    with store.engine.begin() as connection:
        first = connection.execute(select(MessageRow.id).order_by(MessageRow.id)).scalars().all()
        for message_id in (first[0], first[-1]):
            connection.execute(
                insert(LabelRow).values(
                    message_id=message_id, label="housing", labelled_by="analyst", labelled_at=NOW
                )
            )
    assert _count(store, MessageRow) == 4

    result = purge_analytics(store.engine, timedelta(days=30), now=NOW)

    assert (result.messages, result.conversations, result.labels) == (2, 1, 1)
    assert _count(store, MessageRow) == 2
    assert _count(store, LabelRow) == 1
    with store.engine.connect() as connection:
        left = connection.execute(select(MessageRow.occurred_at)).scalars().all()
        conversations = connection.execute(select(func.count()).select_from(ConversationRow))
        assert conversations.scalar_one() == 2  # "active" and "new"
    assert all(at > NOW - timedelta(days=30) for at in left)
    store.dispose()


def test_cli_purge_uses_the_given_or_configured_period(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'analytics.sqlite3'}"
    upgrade_analytics(url)
    store = AnalyticsStore(url, salt=SALT)
    now = datetime.now(timezone.utc)
    store.record(
        [_user("a", now - timedelta(days=500), 1), _user("b", now - timedelta(days=20), 1)]
    )
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", url)
    monkeypatch.delenv("ANALYTICS_RETENTION_DAYS", raising=False)
    assert main(["analytics", "purge"]) == 0  # default 400 days
    assert "messages=1" in capsys.readouterr().out
    assert main(["analytics", "purge", "--older-than", "10"]) == 0
    assert "messages=1" in capsys.readouterr().out
    assert _count(store, MessageRow) == 0
    assert main(["analytics", "purge", "--older-than", "0"]) == 2
    store.dispose()


@pytest.mark.postgres
def test_a_purge_during_a_batch_neither_fails_it_nor_deletes_its_conversation(
    pg_url: str,
) -> None:
    """A resident who comes back after the retention period, while a purge runs: the batch
    with their new message must be recorded (a purge that deleted their conversation between
    the batch's insert and its read made the worker fail with KeyError), and their
    conversation, active again, must survive the purge."""
    import threading

    from sqlalchemy import event

    upgrade_analytics(pg_url)
    store = AnalyticsStore(pg_url, salt=SALT)
    purger = AnalyticsStore(pg_url, salt=SALT).engine
    old = datetime.now(timezone.utc) - timedelta(days=45)
    store.record([_user("returning", old, 1)])
    purged: list[Any] = []

    def purge_in_between(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        reads_conversations = statement.startswith("SELECT") and (
            "FROM analytic_conversations" in statement
        )
        if reads_conversations and not purged:
            purge = threading.Thread(
                target=lambda: purged.append(purge_analytics(purger, timedelta(days=30)))
            )
            purged.append(purge)
            purge.start()
            purge.join(timeout=1.0)  # done within the second unless it waits for the batch

    event.listen(store.engine, "before_cursor_execute", purge_in_between)
    try:
        result = store.record([_user("returning", datetime.now(timezone.utc), 2)])
    finally:
        event.remove(store.engine, "before_cursor_execute", purge_in_between)
    purged[0].join(timeout=10)
    purger.dispose()

    assert result.messages_inserted == 1
    assert len(purged) == 2, "the purge ran"
    assert (purged[1].messages, purged[1].conversations) == (1, 0)
    assert _count(store, ConversationRow) == 1
    assert _count(store, MessageRow) == 1  # the new message; the old one went
