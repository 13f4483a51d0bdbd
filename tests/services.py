"""The machine's real PostgreSQL and Redis for tests; their absence fails tests (never skips).

A skipped test reads as green in a summary, so a run without PostgreSQL or Redis would silently
stop testing the production database or what several bot instances share through Redis.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """URL of a new, empty schema in the PostgreSQL ``test`` database, dropped afterwards.

    Everything connecting through the URL (the ticket store, Rasa's tracker store in another
    process) lands in that schema via ``search_path``, so runs never see each other.
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


def require_redis(url: str = REDIS_URL) -> None:
    """Fail the calling test with a plain message when Redis at ``url`` does not answer."""
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {url} is unreachable: {error}", pytrace=False)
    finally:
        client.close()
