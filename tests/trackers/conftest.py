"""A real Rasa SQL tracker store (the project's class) on SQLite and on PostgreSQL.

Building the store switches on the process's log redaction, as it does in Rasa; the fixture
switches it off again, since tests share their process with other tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.privacy.logs import uninstall
from bot.settings import PROJECT_ROOT


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
    from bot.trackers.store import PrivateSQLTrackerStore

    store = PrivateSQLTrackerStore(domain=domain, host=tracker_db_url)
    try:
        yield store
    finally:
        store.engine.dispose()
        uninstall()
