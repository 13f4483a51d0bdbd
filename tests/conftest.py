"""Fixtures shared by the store, console and end-to-end tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a new, empty schema in the PostgreSQL ``test`` database, dropped afterwards.

    PostgreSQL being unreachable fails the test loudly rather than skipping it: these tests
    exist to prove the store works on the production database.
    """
    schema = f"intake_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, future=True, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {PG_URL} is unreachable: {error}", pytrace=False)
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
