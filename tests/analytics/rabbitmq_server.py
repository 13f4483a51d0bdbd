"""A RabbitMQ node of the test's own, on free ports, that the test may kill and start again.

Fault tests must never stop the machine's RabbitMQ (5672): other tests, helpers and a running
bot use it. This node has its own name, listener, distribution port, config, data and log
directories (under a temporary directory owned by the ``rabbitmq`` user, as Debian's
``rabbitmq-server`` script switches to it), so it shares only epmd with the machine's node.
Its data directory outlives a kill: durable queues and persistent messages come back with the
node, as after a real crash.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.ports import free_port

START_SECONDS = 60


class OwnRabbitMQ:
    """``rabbitmq-server`` on ``port``; ``kill()`` (SIGKILL) and ``start()`` again, same data;
    ``freeze()`` and ``thaw()`` (SIGSTOP, SIGCONT)."""

    def __init__(self) -> None:
        if shutil.which("rabbitmq-server") is None:
            pytest.fail("rabbitmq-server is not installed (package rabbitmq-server)")
        # Not pytest's tmp_path: the rabbitmq user must be able to write here.
        self.root = Path(tempfile.mkdtemp(prefix="faults-rabbitmq-"))
        self.port = free_port()
        self.node = f"faults{uuid.uuid4().hex[:8]}@localhost"
        (self.root / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n", encoding="utf-8"
        )
        shutil.chown(self.root, "rabbitmq", "rabbitmq")
        shutil.chown(self.root / "rabbitmq.conf", "rabbitmq", "rabbitmq")
        self._env = {
            **os.environ,
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq.conf"),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.root / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(self.root / "node.pid"),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def start(self) -> None:
        """Start the node, or do nothing if it is running (a second ``rabbitmq-server`` of the
        same node name fails, and may leave the pid file not naming the running VM)."""
        if self.process is not None and self.process.poll() is None and self._answers():
            return
        with (self.root / "server.out").open("ab") as log:
            self.process = subprocess.Popen(
                ["rabbitmq-server"], env=self._env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_SECONDS
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = (self.root / "server.out").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"RabbitMQ node {self.node} did not start:\n{tail}")
            time.sleep(0.3)

    def _answers(self) -> bool:
        """The node speaks AMQP: it answers the protocol header with a method frame
        (Connection.Start). Plain sockets, so that an async test can call ``start()``."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as connection:
                connection.sendall(b"AMQP\x00\x00\x09\x01")
                return connection.recv(1) == b"\x01"
        except OSError:
            return False

    def _beam_pid(self) -> int | None:
        try:
            return int((self.root / "node.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        """Kill -9 the Erlang VM: no goodbye to clients, exactly as a crash."""
        pid = self._beam_pid()
        if pid is not None:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)  # a frozen node, too
                os.kill(pid, signal.SIGKILL)
        if self.process is not None:
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        (self.root / "node.pid").unlink(missing_ok=True)

    def freeze(self) -> None:
        """SIGSTOP the Erlang VM: connections stay open and nothing is answered (a hung node,
        or packets silently dropped), until ``thaw``."""
        pid = self._beam_pid()
        assert pid is not None, "the node is not running"
        os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        pid = self._beam_pid()
        if pid is not None:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    def remove(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def own_rabbitmq() -> Iterator[OwnRabbitMQ]:
    """An ``OwnRabbitMQ``, not started (the fault tests begin with RabbitMQ down), killed and
    removed on exit whatever state the test left it in."""
    server = OwnRabbitMQ()
    try:
        yield server
    finally:
        server.remove()
