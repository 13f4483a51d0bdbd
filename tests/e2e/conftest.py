"""Every end-to-end path runs on both ticket backends, SQLite and the machine's PostgreSQL.

The database is module-scoped so that one Rasa server (about 50 s and 1.4 GB to start) serves
all tests of a module on one backend. PostgreSQL being unreachable fails, never skips.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.tickets import upgrade_database
from tests.services import postgres_schema


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def e2e_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated ticket database of each backend, shared by the module's tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tickets.sqlite3'}"
        upgrade_database(url)
        yield url
        return
    with postgres_schema() as url:
        upgrade_database(url)
        yield url
