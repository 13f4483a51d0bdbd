"""The test suite's free ports stay free while servers start (CI once lost HAProxy's port)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests import ports
from tests.ports import free_port, free_ports


def _ephemeral_range() -> tuple[int, int]:
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return int(low), int(high)


def test_ports_lie_outside_the_range_outgoing_connections_draw_from() -> None:
    """An outgoing connection (Rasa to PostgreSQL, Redis, RabbitMQ) takes its local port from the
    ephemeral range; a port handed out there could be taken before HAProxy binds it."""
    low, high = _ephemeral_range()
    for port in free_ports(20):
        assert not low <= port <= high, port


def test_ports_are_distinct_and_bindable() -> None:
    """Several servers of one layout each get their own port, and each can listen on it."""
    ports = free_ports(10) + [free_port() for _ in range(10)]
    assert len(set(ports)) == len(ports)
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
            sock.listen()


def test_a_port_in_use_is_never_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """A port some server already listens on is skipped: with half of a small window busy,
    every port handed out is one nothing listens on."""
    low = 24000
    monkeypatch.setattr(ports, "_LOWEST", low)
    monkeypatch.setattr(ports, "_ephemeral_start", lambda: low + 1000)
    listeners = []
    try:
        for port in range(low, low + 1000, 2):
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # some other server's already: busy all the same
                sock.close()
                continue
            sock.listen()
            listeners.append(sock)
        handed_out = ports.free_ports(100)
        for port in handed_out:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", port))
    finally:
        for sock in listeners:
            sock.close()
