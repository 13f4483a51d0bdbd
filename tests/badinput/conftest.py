"""One real bot for the whole bad-input package: Rasa (REST and LINE channels) + action server.

Package-scoped so the three suites share one Rasa start (~50 s, 1.4 GB) on a 2-core machine.
The tickets and trackers are SQLite (the e2e suites already run every path on PostgreSQL too).
LINE's API is the recording ``FakeLineApi`` from tests/channels, served from a thread of its
own so that it outlives each test's event loop; the Rasa process's LINE channel points at it.
The LINE per-user limit is set to 10 a minute so the 1,000-message flood reaches Rasa at most
10 times (the brief: few real Rasa requests per kind).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.tickets import upgrade_database
from tests.channels.line_testkit import SECRET, TOKEN, FakeLineApi
from tests.e2e.servers import RunningBot, running_bot

LINE_RATE_LIMIT = 10


@dataclass
class LineBot:
    """The running bot plus the fake LINE API its LINE channel talks to."""

    bot: RunningBot
    line: FakeLineApi


@pytest.fixture(scope="package")
def fake_line_thread() -> Iterator[FakeLineApi]:
    """A ``FakeLineApi`` on its own event loop in a daemon thread, stopped afterwards."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    api = FakeLineApi()
    asyncio.run_coroutine_threadsafe(api.start(), loop).result(timeout=10)
    try:
        yield api
    finally:
        asyncio.run_coroutine_threadsafe(api.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


@pytest.fixture(scope="package")
def line_bot(
    tmp_path_factory: pytest.TempPathFactory, fake_line_thread: FakeLineApi
) -> Iterator[LineBot]:
    work_dir = tmp_path_factory.mktemp("badinput")
    url = f"sqlite:///{work_dir / 'tickets.sqlite3'}"
    upgrade_database(url)
    env = {
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "LINE_API_BASE": fake_line_thread.base_url,
        "RATE_LIMIT_LINE_USER": str(LINE_RATE_LIMIT),
    }
    with running_bot(work_dir, url, env) as bot:
        yield LineBot(bot, fake_line_thread)


@pytest.fixture(scope="package")
def real_bot(line_bot: LineBot) -> RunningBot:
    return line_bot.bot
