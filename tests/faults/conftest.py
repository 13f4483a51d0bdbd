"""Fixtures of the database fault tests: a PostgreSQL server of the test's own.

Stopping the machine's PostgreSQL (5432) would break every other test and helper running on
it, so a fault test that needs "the database went away" starts its own cluster (``initdb`` in
a temporary directory owned by the ``postgres`` user, a free port, its socket in that
directory) and stops it with ``pg_ctl -m immediate``: every backend is killed at once, in-flight
transactions are cut off, exactly as when the server crashes. Fixture names start with
``faults_`` so they do not collide with other fixtures in this directory.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.ports import free_port


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL's {name} is not installed (package postgresql)")
    return found[-1]


class OwnPostgres:
    """One PostgreSQL cluster: ``stop()`` kills it like a crash, ``start()`` brings it back."""

    def __init__(self) -> None:
        # Not pytest's tmp_path: the postgres user must be able to reach the directory.
        self.root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.log = self.root / "postgres.log"
        shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres(
            _pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"
        )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._as_postgres(
            _pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self) -> None:
        """Immediate shutdown: backends killed, no checkpoint (crash recovery on start)."""
        self._as_postgres(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def close(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _wait_accepting(url: str, seconds: float = 30) -> None:
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        engine.dispose()


@pytest.fixture
def faults_postgres() -> Iterator[OwnPostgres]:
    """A started PostgreSQL of this test only (about 3 s to create), removed afterwards."""
    if os.geteuid() != 0:
        pytest.fail("the PostgreSQL fault test runs as root (it starts a cluster as postgres)")
    server = OwnPostgres()
    try:
        server.start()
        _wait_accepting(server.url)
        yield server
    finally:
        server.close()
