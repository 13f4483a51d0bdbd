"""A Redis server of the test's own, on a free port, that the test may kill and start again.

Fault tests must never stop the machine's Redis (6379): other tests and helpers use it. This
one keeps nothing on disk (``--save '' --appendonly no``), so a restart comes back empty, as a
crashed cache-only Redis would.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from tests.ports import free_port


class OwnRedis:
    """``redis-server`` on ``port``; ``kill()`` (SIGKILL) and ``start()`` again, same port."""

    def __init__(self, work_dir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.work_dir = work_dir
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            pytest.fail("redis-server is not installed")
        log = (self.work_dir / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.work_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.RedisError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        message = f"redis-server on port {self.port} did not start"
                        raise RuntimeError(message) from None
                    time.sleep(0.05)
        finally:
            client.close()

    def kill(self) -> None:
        """Kill -9: no goodbye to clients, exactly as a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def own_redis(work_dir: Path) -> Iterator[OwnRedis]:
    """A started ``OwnRedis``, killed on exit whatever state the test left it in."""
    server = OwnRedis(work_dir)
    server.start()
    try:
        yield server
    finally:
        server.kill()
