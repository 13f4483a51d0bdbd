"""LINE: typed text naming a quick-reply button of the last reply acts as that button."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from line_testkit import SECRET, TOKEN, FakeLineApi, LineHarness, StubBot, make_event, serve_harness

from bot.channels.line import LineInput
from bot.dialogue.texts import YES_NO_CONTACT
from bot.intake.fields import CONTACT_METHOD
from bot.intake.questions import choice_buttons
from bot.offers import InMemoryOfferStore


def asks(text: str) -> list[dict[str, object]]:
    """The contact-method question after a greeting, yes/no after 電話, no buttons otherwise."""
    if text == "こんにちは":
        buttons = choice_buttons(CONTACT_METHOD)
    elif text == "電話":
        buttons = YES_NO_CONTACT
    else:
        buttons = ()
    return [{"text": "えらんでください", "buttons": [b.as_dict() for b in buttons]}]


@pytest.fixture
async def harness(fake_line: FakeLineApi) -> AsyncIterator[LineHarness]:
    channel = LineInput(SECRET, TOKEN, fake_line.base_url, offer_store=InMemoryOfferStore())
    async with serve_harness(channel, fake_line, StubBot(responses=asks)) as harness:
        yield harness


async def say(harness: LineHarness, text: str) -> None:
    await harness.client.post_events(make_event(text=text))
    await harness.settle()


async def test_typed_kana_after_quick_replies_reaches_the_bot_as_the_button(
    harness: LineHarness,
) -> None:
    await say(harness, "こんにちは")
    await say(harness, "ﾃﾞﾝﾜ")  # half-width kana for 電話
    await say(harness, "はい")  # short for 「はい、連絡がほしい」
    await say(harness, "でんわ")  # nothing offered any more: words
    assert harness.bot.texts == ["こんにちは", "電話", "/affirm", "でんわ"]


async def test_a_sentence_or_a_typed_payload_stays_words(harness: LineHarness) -> None:
    await say(harness, "こんにちは")
    await say(harness, "電話だと家族に聞かれてしまうので困ります")
    await say(harness, "こんにちは")
    await say(harness, "/affirm")
    assert harness.bot.texts[1] == "電話だと家族に聞かれてしまうので困ります"
    assert harness.bot.texts[3] == "／affirm"
