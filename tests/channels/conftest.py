"""Fixtures for the LINE channel tests: a fake LINE API and the channel served by Sanic."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from line_testkit import SECRET, TOKEN, FakeLineApi, LineHarness, serve_harness
from line_testkit import fake_line as fake_line  # the fixture, shared with other test dirs

from bot.channels.line import LineInput


@pytest.fixture
def clock() -> list[float]:
    """A settable clock: append a time to ``clock`` to freeze 'now'; empty means real time."""
    return []


@pytest.fixture
async def harness(fake_line: FakeLineApi, clock: list[float]) -> AsyncIterator[LineHarness]:
    channel = LineInput(
        SECRET,
        TOKEN,
        fake_line.base_url,
        clock=lambda: clock[0] if clock else time.time(),
    )
    async with serve_harness(channel, fake_line) as harness:
        yield harness
