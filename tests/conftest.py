"""Fixtures shared by the store, console and end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.services import postgres_schema


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a new, empty schema in the PostgreSQL ``test`` database, dropped afterwards.

    PostgreSQL being unreachable fails the test loudly rather than skipping it: these tests
    exist to prove the store works on the production database.
    """
    with postgres_schema() as url:
        yield url
