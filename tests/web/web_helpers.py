"""Helpers shared by the web chat tests (imported by name, like tests/console's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.settings import PROJECT_ROOT, Settings
from tests.ports import free_port

MakeClient = Callable[..., Any]


def closed_port() -> int:
    """A port nothing listens on (bound, then released): connecting to it is refused."""
    return free_port()


def chat_settings(rasa_url: str, **overrides: Any) -> Settings:
    return Settings(data_dir=PROJECT_ROOT / "data", rasa_url=rasa_url, **overrides)
