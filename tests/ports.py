"""Free TCP ports for servers the tests start, safe to bind seconds later.

A port from ``bind(("127.0.0.1", 0))`` comes from the kernel's ephemeral range, the same range
every outgoing connection draws its local port from. A test that picks such a port, then spends
40 s starting Rasa instances (each opening connections to PostgreSQL, Redis and RabbitMQ), can
find its port taken when HAProxy finally binds it ("Address already in use": CI failed so once).
Ports here come from below the ephemeral range, where no outgoing connection lands, and are
checked free when handed out; the random start keeps two picks apart.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 20000  # above the ports well-known services use (PostgreSQL 5432, Redis 6379, ...)
_taken: set[int] = set()  # handed out by this process: never twice, even once released
_random = random.Random()  # its own: a test seeding the module's generator must not repeat picks


def _ephemeral_start() -> int:
    try:
        return int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports nothing listens on, outside the ephemeral range."""
    ceiling = _ephemeral_start()
    if ceiling - _LOWEST < 1000:  # an unusual kernel setting: fall back to the whole range
        return _bound_by_kernel(count)
    ports: list[int] = []
    candidates = _random.sample(range(_LOWEST, ceiling), k=min(4 * count + 200, ceiling - _LOWEST))
    for port in candidates:
        if port not in _taken and _is_free(port):
            _taken.add(port)
            ports.append(port)
            if len(ports) == count:
                return ports
    raise RuntimeError(f"no {count} free ports between {_LOWEST} and {ceiling}")


def free_port() -> int:
    """One port nothing listens on, outside the ephemeral range."""
    return free_ports(1)[0]


def _bound_by_kernel(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
