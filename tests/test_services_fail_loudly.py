"""A green run means PostgreSQL and Redis were really exercised: missing services fail tests.

A skipped Redis test looks like a pass in CI's summary; the LINE de-duplication across
instances would then ship untested. These guards keep both services' tests failing loudly.
"""

from __future__ import annotations

import re
import socket

import pytest

from bot.settings import PROJECT_ROOT
from tests.services import fresh_prefix, postgres_schema, redis_client, require_redis

SERVICE_SKIP = re.compile(r"pytest\.(skip|importorskip)\(|skipif\(", re.IGNORECASE)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def test_an_unreachable_redis_fails_the_test_rather_than_skipping_it() -> None:
    with pytest.raises(pytest.fail.Exception, match="Redis"):
        require_redis(f"redis://127.0.0.1:{_closed_port()}/0")


def test_an_unreachable_postgresql_fails_the_test_rather_than_skipping_it() -> None:
    closed = f"postgresql+psycopg2://postgres@127.0.0.1:{_closed_port()}/test"
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL"), postgres_schema(closed):
        pass


async def test_a_tests_redis_keys_are_deleted_afterwards_and_only_those() -> None:
    """Tests share the machine's Redis (and a developer's own keys may live there): the
    helper cleans up the test's prefix, even with glob characters in it, and nothing else."""
    prefix = fresh_prefix("cleanup") + "[a]*"
    async with redis_client(fresh_prefix("neighbour")) as neighbour_client:
        neighbour = fresh_prefix("neighbour") + "kept"
        look_alike = prefix.replace("[a]*", "a-look-alike")
        await neighbour_client.set(neighbour, "1", ex=60)
        await neighbour_client.set(look_alike, "1", ex=60)
        async with redis_client(prefix) as client:
            await client.set(prefix + "one", "1")
            await client.hset(prefix + "two", "field", "1")
            assert await client.exists(prefix + "one", prefix + "two") == 2
        assert await neighbour_client.exists(prefix + "one", prefix + "two") == 0
        assert await neighbour_client.exists(neighbour, look_alike) == 2
        await neighbour_client.delete(neighbour, look_alike)


def test_no_test_skips_when_redis_or_postgresql_is_missing() -> None:
    offenders = []
    for path in sorted((PROJECT_ROOT / "tests").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            window = " ".join(lines[max(0, number - 3) : number + 2]).lower()
            if SERVICE_SKIP.search(line) and ("redis" in window or "postgres" in window):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{number}")
    assert offenders == []
