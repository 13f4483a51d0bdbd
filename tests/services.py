"""The machine's real PostgreSQL and Redis for tests; their absence fails tests (never skips).

The one place tests take the services' addresses from (``TEST_POSTGRES_URL``,
``TEST_REDIS_URL``, overridable from the environment, e.g. in CI) and the helpers that give a
test its own corner of each: a fresh PostgreSQL schema (``postgres_schema``) and a Redis
client whose keys under a prefix are deleted afterwards (``redis_client``).

A skipped test reads as green in a summary, so a run without PostgreSQL or Redis would silently
stop testing the production database or what several bot instances share through Redis.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TEST_POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def postgres_schema(url: str = TEST_POSTGRES_URL) -> Iterator[str]:
    """URL of a new, empty schema in the PostgreSQL database at ``url``, dropped afterwards.

    Everything connecting through the URL (the ticket store, Rasa's tracker store in another
    process) lands in that schema via ``search_path``, so runs never see each other.
    ``schema_of`` gives the schema's name (for Rasa's ``POSTGRESQL_SCHEMA``).
    """
    schema = f"intake_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, future=True, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {url} is unreachable: {error}", pytrace=False)
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def schema_of(schema_url: str) -> str:
    """The schema name inside a URL from ``postgres_schema``."""
    options = str(make_url(schema_url).query.get("options", ""))
    match = re.fullmatch(r"-csearch_path=(\w+)", options)
    if match is None:
        raise ValueError("not a URL from postgres_schema()")
    return match.group(1)


def tracker_db_env(schema_url: str) -> dict[str, str]:
    """The ``TRACKER_DB_*`` and ``POSTGRESQL_SCHEMA`` variables endpoints.production.yml reads,
    for a URL from ``postgres_schema``."""
    database = make_url(schema_url)
    return {
        "TRACKER_DB_HOST": database.host or "127.0.0.1",
        "TRACKER_DB_PORT": str(database.port or 5432),
        "TRACKER_DB_NAME": database.database or "",
        "TRACKER_DB_USER": database.username or "",
        "TRACKER_DB_PASSWORD": database.password or "",
        "POSTGRESQL_SCHEMA": schema_of(schema_url),
    }


def require_redis(url: str = TEST_REDIS_URL) -> None:
    """Fail the calling test with a plain message when Redis at ``url`` does not answer."""
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {url} is unreachable: {error}", pytrace=False)
    finally:
        client.close()


def fresh_prefix(label: str) -> str:
    """A key prefix no other test or run uses: ``test:<label>:<random>:``."""
    return f"test:{label}:{uuid.uuid4().hex[:12]}:"


@asynccontextmanager
async def redis_client(prefix: str, url: str = TEST_REDIS_URL) -> AsyncIterator[Any]:
    """An asyncio Redis client for a test whose keys all start with ``prefix``.

    Fails the test when Redis does not answer; afterwards deletes every key under ``prefix``
    (and only those: the Redis may be shared). Use it in an async fixture::

        @pytest.fixture
        async def client():
            async with redis_client(fresh_prefix("dedup")) as client:
                yield client
    """
    if len(prefix) < 4:
        raise ValueError("a prefix this short could delete other tests' keys")
    import redis.asyncio as redis_asyncio

    require_redis(url)
    client = redis_asyncio.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        yield client
    finally:
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", prefix) + "*"
        keys = [key async for key in client.scan_iter(match=pattern, count=500)]
        if keys:
            await client.delete(*keys)
        await client.close()
        await client.connection_pool.disconnect()
