"""Helpers shared by the web chat tests (imported by name, like tests/console's)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from bot.settings import PROJECT_ROOT, Settings

MakeClient = Callable[..., Any]


def closed_port() -> int:
    """A port nothing listens on (bound, then released): connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chat_settings(rasa_url: str, **overrides: Any) -> Settings:
    return Settings(data_dir=PROJECT_ROOT / "data", rasa_url=rasa_url, **overrides)


def free_ports(count: int) -> list[int]:
    """Distinct free ports, all bound at once so the OS cannot hand out the same one twice."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
