"""Fixtures for the LINE channel tests: a fake LINE API and the channel served by Sanic."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from line_testkit import (
    SECRET,
    TOKEN,
    FakeLineApi,
    LineHarness,
    LineWebhookClient,
    StubBot,
    serve_channel,
)

from bot.channels.line import LineInput


@pytest.fixture
async def fake_line() -> AsyncIterator[FakeLineApi]:
    api = FakeLineApi()
    await api.start()
    yield api
    await api.close()


@pytest.fixture
def clock() -> list[float]:
    """A settable clock: append a time to ``clock`` to freeze 'now'; empty means real time."""
    return []


@pytest.fixture
async def harness(fake_line: FakeLineApi, clock: list[float]) -> AsyncIterator[LineHarness]:
    import time

    channel = LineInput(
        SECRET,
        TOKEN,
        fake_line.base_url,
        clock=lambda: clock[0] if clock else time.time(),
    )
    bot = StubBot()
    app = await serve_channel(channel, bot)
    yield LineHarness(channel, bot, LineWebhookClient(app.base_url), fake_line, app)
    await app.stop()
