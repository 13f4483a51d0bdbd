"""Issue 9 (2), LINE: a typed title acts as its quick-reply button at every step.

The same steps as the web chat's test (``tests/web/test_issue9_buttons.py``): the buttons the
bot really offers in the conversation and in the intake form. A stub bot offers one step's
buttons as quick replies; typing a title must reach the bot as that button's payload.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.line import LineInput
from bot.offers import InMemoryOfferStore
from bot.ratelimit.limiter import Limit
from tests.channels.line_testkit import (
    SECRET,
    TOKEN,
    FakeLineApi,
    LineHarness,
    StubBot,
    make_event,
    serve_harness,
)
from tests.web.test_issue9_buttons import PRIME, STEPS, expected


def offers(text: str) -> list[dict[str, object]]:
    """The buttons of the step named after ``step:``; no buttons for anything else."""
    buttons = STEPS.get(text[len(PRIME) :], ()) if text.startswith(PRIME) else ()
    return [{"text": "どうぞ", "buttons": [b.as_dict() for b in buttons]}]


@pytest.fixture
async def harness(fake_line: FakeLineApi) -> AsyncIterator[LineHarness]:
    channel = LineInput(
        SECRET,
        TOKEN,
        fake_line.base_url,
        offer_store=InMemoryOfferStore(),
        rate_limit=Limit(1000, 60.0),
    )
    async with serve_harness(channel, fake_line, StubBot(responses=offers)) as harness:
        yield harness


async def say(harness: LineHarness, text: str) -> None:
    await harness.client.post_events(make_event(text=text))
    await harness.settle()


@pytest.mark.parametrize("step", list(STEPS))
async def test_every_title_typed_at_every_step_reaches_the_bot_as_its_button(
    harness: LineHarness, step: str
) -> None:
    for button in STEPS[step]:
        await say(harness, PRIME + step)
        await say(harness, button.title)
        assert harness.bot.texts[-1] == expected(button), button.title
