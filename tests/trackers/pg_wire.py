"""A TCP relay in front of PostgreSQL that counts the commands its clients send.

Why a relay: psycopg2 sends ``BEGIN`` and ``ROLLBACK`` from C, so neither SQLAlchemy's events
nor the cursor see them; on the wire every command a client sends is one frontend message
(``Q`` for a simple query, ``P`` for the extended protocol's parse). Each is a round trip
that a synchronous store makes Rasa's event loop wait for.

The client must not use TLS (``sslmode=disable``): the relay reads the protocol in clear.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress

#: Requests sent before the startup message, without a type byte (SSL, GSS encryption).
_PRE_STARTUP_CODES = {80877103, 80877104}
_PROTOCOL_3 = 196608


class _FrontendReader:
    """Splits one client's byte stream into frontend messages and counts them by type."""

    def __init__(self, counts: Counter[str], lock: threading.Lock) -> None:
        self._buffer = b""
        self._started = False
        self._counts = counts
        self._lock = lock

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while True:
            if not self._started:
                if len(self._buffer) < 8:
                    return
                length, code = struct.unpack("!II", self._buffer[:8])
                if len(self._buffer) < length:
                    return
                self._buffer = self._buffer[length:]
                if code not in _PRE_STARTUP_CODES:
                    self._started = code == _PROTOCOL_3 or self._started
                continue
            if len(self._buffer) < 5:
                return
            kind = chr(self._buffer[0])
            (length,) = struct.unpack("!I", self._buffer[1:5])
            if len(self._buffer) < 1 + length:
                return
            self._buffer = self._buffer[1 + length :]
            with self._lock:
                self._counts[kind] += 1


class CountingRelay:
    """Listens on a free loopback port and relays every connection to ``target``."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def commands(self) -> int:
        """Commands sent so far by every client (simple queries and parses)."""
        with self._lock:
            return self._counts["Q"] + self._counts["P"]

    def close(self) -> None:
        with suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accept below (Linux)
        self._server.close()
        for sock in self._sockets:
            with suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()  # the client sees the connection refused, not a hang
                continue
            upstream.settimeout(None)
            self._sockets += [client, upstream]
            reader = _FrontendReader(self._counts, self._lock)
            for source, sink, counted in ((client, upstream, reader), (upstream, client, None)):
                pump = threading.Thread(target=self._pump, args=(source, sink, counted))
                pump.daemon = True
                pump.start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, reader: _FrontendReader | None) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                if reader is not None:
                    reader.feed(data)
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@contextmanager
def counting_relay(host: str, port: int) -> Iterator[CountingRelay]:
    relay = CountingRelay((host, port))
    try:
        yield relay
    finally:
        relay.close()
