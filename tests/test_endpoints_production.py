"""endpoints.production.yml, read by Rasa 3.6 itself, gives the stores the deployment asked for.

A wrong key in this file is not an error for Rasa: it logs a warning and falls back to a
default (e.g. a key prefix it deems invalid is dropped, so two deployments sharing one Redis
would share locks). These tests read the file the way ``rasa run --endpoints`` does.
"""

from __future__ import annotations

import uuid

import pytest
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.core.utils import AvailableEndpoints

from bot.settings import PROJECT_ROOT
from tests.services import require_redis

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
}


@pytest.fixture
def endpoints(monkeypatch: pytest.MonkeyPatch) -> AvailableEndpoints:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return AvailableEndpoints.read_endpoints(str(ENDPOINTS))


def test_conversations_go_to_the_postgresql_tracker_store_from_the_environment(endpoints):
    store = endpoints.tracker_store
    assert store is not None and store.type == "SQL"
    assert store.url == "db.internal"
    assert store.kwargs["dialect"] == "postgresql"
    assert store.kwargs["db"] == "rasa"
    assert store.kwargs["password"] == "tracker-secret"
    assert endpoints.action.url == ENV["ACTION_SERVER_URL"]


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
