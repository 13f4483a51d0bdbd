"""The embedded pipeline: Rasa's SQL event broker (SQLite under var/) → consumer (issue 10).

Protected behaviour:

* ``endpoints.yml``'s event broker, built by Rasa itself, is our SQL broker class writing to
  ``events.sqlite3`` under ``INTAKE_VAR_DIR`` (not the tracker file, not the start directory);
* events written by Rasa's ``SQLEventBroker`` are ingested once with the known counts; the
  offset survives a restart of the consumer (a second run reads only what is new), and the
  committed raw events are deleted from the broker file, all but the newest;
* a broker file deleted and recreated (ids start again) is read from its beginning;
* ``intake analytics consume --source sql --once`` does the same from the command line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.utils import AvailableEndpoints
from sqlalchemy import text

from bot.analytics.broker import PrivateSQLEventBroker
from bot.analytics.consumer import consume_sql
from bot.analytics.migrate import upgrade_analytics
from bot.analytics.sources import SQL_SOURCE, SqlEventSource
from bot.analytics.store import AnalyticsStore
from bot.cli import main
from bot.settings import PROJECT_ROOT
from bot.tickets.engine import make_engine
from tests.analytics.consumer_support import SALT, assert_counts
from tests.analytics.event_dataset import generate


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    var = tmp_path / "var"
    monkeypatch.setenv("INTAKE_VAR_DIR", str(var))
    return var


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AnalyticsStore]:
    url = f"sqlite:///{tmp_path / 'analytics.sqlite3'}"
    upgrade_analytics(url)
    analytics = AnalyticsStore(url, salt=SALT)
    yield analytics
    analytics.dispose()


def _rasa_broker(var_dir: Path) -> Any:
    """The broker Rasa builds from endpoints.yml (``rasa run --endpoints endpoints.yml``)."""
    endpoints = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))
    return asyncio.run(EventBroker.create(endpoints.event_broker))


def _publish(broker: Any, events: list[dict[str, Any]]) -> None:
    for event in events:
        broker.publish(event)


def _raw_rows(path: Path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())
    finally:
        engine.dispose()


def test_endpoints_yml_broker_writes_under_the_var_dir(var_dir: Path) -> None:
    broker = _rasa_broker(var_dir)
    assert isinstance(broker, PrivateSQLEventBroker)
    assert broker.engine.url.database == str(var_dir / "events.sqlite3")
    assert broker.engine.hide_parameters  # a failed insert never prints a resident's message
    _publish(broker, [{"sender_id": "x", "event": "action", "timestamp": 1.0, "name": "a"}])
    assert _raw_rows(var_dir / "events.sqlite3") == 1


def test_sql_broker_events_are_ingested_once_and_the_offset_survives_restart(
    var_dir: Path, store: AnalyticsStore
) -> None:
    events, expected = generate(600, seed=5, prefix="Q")
    later, more = generate(300, seed=6, prefix="R")
    broker = _rasa_broker(var_dir)
    path = var_dir / "events.sqlite3"
    _publish(broker, events)

    source = SqlEventSource(f"sqlite:///{path}")
    stats = consume_sql(store, source, batch_size=100, once=True)
    assert stats.events == len(events) and stats.batches == -(-len(events) // 100)
    assert_counts(store.engine, expected)
    assert store.offset(SQL_SOURCE) == len(events)
    assert _raw_rows(path) == 1  # committed raw events deleted; the newest keeps the ids going
    source.dispose()

    # A restarted consumer (new objects, same databases) reads only what came since.
    _publish(broker, later)
    restarted_store = AnalyticsStore(str(store.engine.url), salt=SALT)
    restarted = SqlEventSource(f"sqlite:///{path}")
    again = consume_sql(restarted_store, restarted, batch_size=1000, once=True)
    assert again.events == len(later)
    assert store.offset(SQL_SOURCE) == len(events) + len(later)
    expected.messages += more.messages
    expected.conversations += more.conversations
    expected.by_city_category += more.by_city_category
    expected.messages_by_city += more.messages_by_city
    expected.fallbacks += more.fallbacks
    expected.crisis_conversations += more.crisis_conversations
    expected.window_shown += more.window_shown
    expected.handoff_offered += more.handoff_offered
    assert_counts(store.engine, expected)
    # Nothing new: nothing read.
    assert consume_sql(restarted_store, restarted, once=True).events == 0
    restarted.dispose()
    restarted_store.dispose()


def test_a_recreated_broker_file_is_read_from_the_start(
    var_dir: Path, store: AnalyticsStore
) -> None:
    events, _ = generate(200, seed=8, prefix="T")
    fresh, fresh_expected = generate(50, seed=9, prefix="U")
    path = var_dir / "events.sqlite3"
    broker = _rasa_broker(var_dir)
    _publish(broker, events)
    source = SqlEventSource(f"sqlite:///{path}")
    consume_sql(store, source, once=True)
    source.dispose()
    broker.engine.dispose()
    path.unlink()  # e.g. an operator deleted var/events.sqlite3
    broker = _rasa_broker(var_dir)
    _publish(broker, fresh)
    source = SqlEventSource(f"sqlite:///{path}")
    stats = consume_sql(store, source, once=True)
    source.dispose()
    assert stats.events == len(fresh)  # ids 1… again, below the old offset: all read
    assert store.offset(SQL_SOURCE) == len(fresh)


def test_cli_consumes_the_sql_source(
    var_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    events, expected = generate(150, seed=10, prefix="V")
    _publish(_rasa_broker(var_dir), events)
    url = f"sqlite:///{tmp_path / 'cli-analytics.sqlite3'}"
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", url)
    monkeypatch.setenv("ANALYTICS_SALT", SALT)
    monkeypatch.delenv("RABBITMQ_URL", raising=False)
    monkeypatch.delenv("RABBITMQ_HOST", raising=False)
    assert main(["analytics", "consume", "--once"]) == 0  # SQL: the default without RabbitMQ
    assert f"events={len(events)}" in capsys.readouterr().out
    engine = make_engine(url)
    try:
        assert_counts(engine, expected)
    finally:
        engine.dispose()


def test_cli_refuses_to_run_without_a_salt(
    var_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite3'}")
    monkeypatch.delenv("ANALYTICS_SALT", raising=False)
    assert main(["analytics", "consume", "--source", "sql", "--once"]) == 2
