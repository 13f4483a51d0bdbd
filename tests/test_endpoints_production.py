"""endpoints.production.yml, read by Rasa 3.6 itself, gives the stores the deployment asked for.

A wrong key in this file is not an error for Rasa: it logs a warning and falls back to a
default (e.g. a key prefix it deems invalid is dropped, so two deployments sharing one Redis
would share locks; a tracker store class it cannot import becomes an in-memory store). These
tests read the file and build the stores the way ``rasa run --endpoints`` does.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
from sqlalchemy.exc import IntegrityError

from bot.privacy.logs import is_installed, uninstall
from bot.settings import PROJECT_ROOT
from bot.trackers.store import PrivateSQLTrackerStore
from tests.services import postgres_schema, require_redis, tracker_db_env

ENDPOINTS = PROJECT_ROOT / "endpoints.production.yml"

ENV = {
    "ACTION_SERVER_URL": "http://10.0.0.5:5055/webhook",
    "TRACKER_DB_HOST": "db.internal",
    "TRACKER_DB_PORT": "5432",
    "TRACKER_DB_NAME": "rasa",
    "TRACKER_DB_USER": "rasa",
    "TRACKER_DB_PASSWORD": "tracker-secret",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_LOCK_DB": "1",
    "REDIS_PASSWORD": "",
    "RABBITMQ_HOST": "mq.internal",
    "RABBITMQ_PORT": "5672",
    "RABBITMQ_USERNAME": "rasa",
    "RABBITMQ_PASSWORD": "mq-secret",
    "RABBITMQ_QUEUE": "intake_analytics",
}


@pytest.fixture
def endpoints(monkeypatch: pytest.MonkeyPatch) -> AvailableEndpoints:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return AvailableEndpoints.read_endpoints(str(ENDPOINTS))


def test_conversations_go_to_the_postgresql_tracker_store_from_the_environment(endpoints):
    store = endpoints.tracker_store
    assert store is not None and store.type == "bot.trackers.store.PrivateSQLTrackerStore"
    assert store.url == "db.internal"
    assert store.kwargs["dialect"] == "postgresql"
    assert store.kwargs["db"] == "rasa"
    assert store.kwargs["password"] == "tracker-secret"
    assert endpoints.action.url == ENV["ACTION_SERVER_URL"]


@pytest.fixture
def production_tracker_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The tracker store Rasa builds from the file, on the machine's PostgreSQL (own schema,
    through Rasa's POSTGRESQL_SCHEMA) instead of db.internal."""
    with postgres_schema() as url:
        for name, value in {**ENV, **tracker_db_env(url)}.items():
            monkeypatch.setenv(name, str(value))
        config = AvailableEndpoints.read_endpoints(str(ENDPOINTS)).tracker_store
        store = TrackerStore.create(config)  # as rasa.core.agent.load_agent does
        try:
            yield store
        finally:
            if hasattr(store, "engine"):
                store.engine.dispose()
            uninstall()


def test_production_conversations_hide_database_values(production_tracker_store) -> None:
    """Rasa builds this project's store from the file (not its plain SQL store, not an
    in-memory fallback): a failing statement on PostgreSQL shows neither the bound values
    nor PostgreSQL's "Failing row contains (…)" detail."""
    store = production_tracker_store
    assert type(store) is PrivateSQLTrackerStore
    assert store.engine.dialect.name == "postgresql" and store.engine.hide_parameters
    with pytest.raises(IntegrityError) as raised, store.engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO events (sender_id, type_name, data) VALUES (NULL, 'user', :d)"),
            {"d": '{"text": "090-3333-4444"}'},
        )
    assert "090-3333-4444" not in str(raised.value)


def test_production_rasa_redacts_its_logs(production_tracker_store) -> None:
    """Building the production store switches on the Rasa process's log redaction."""
    assert is_installed()
    stream = io.StringIO()
    logger = logging.getLogger("rasa.core.channels.rest")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        logger.error("turn failed for U%s: 090-3333-4444", "0123456789abcdef" * 2)
    finally:
        logger.removeHandler(handler)
    assert "090-3333-4444" not in stream.getvalue() and "turn failed" in stream.getvalue()


def test_locks_live_under_the_deployments_own_redis_key_prefix(endpoints):
    """Rasa drops a non-alphanumeric prefix with only a warning: locks would then be shared."""
    require_redis()
    lock_store = LockStore.create(endpoints.lock_store)
    assert isinstance(lock_store, RedisLockStore)
    assert lock_store.key_prefix.startswith("welfareintake:")
    conversation = f"prefix-check-{uuid.uuid4().hex[:8]}"
    lock_store.issue_ticket(conversation, lock_lifetime=30)
    try:
        assert lock_store.red.exists(lock_store.key_prefix + conversation)
    finally:
        lock_store.delete_lock(conversation)


def test_redis_password_comes_from_the_environment(endpoints, monkeypatch):
    monkeypatch.setenv("REDIS_PASSWORD", "lock-secret")
    config = AvailableEndpoints.read_endpoints(str(ENDPOINTS)).lock_store
    assert config is not None and config.kwargs["password"] == "lock-secret"
