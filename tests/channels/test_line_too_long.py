"""A LINE text longer than LINE itself allows never reaches the bot (``bot.channels.limits``).

Protects: a 100,000-character message (only a forged or replayed-and-signed body can carry
one) gets the polite note at once instead of holding Rasa's event loop for over a minute;
a message of exactly LINE's maximum still goes to the bot.
"""

from __future__ import annotations

from line_testkit import LineHarness, make_event

from bot.channels.limits import MAX_TEXT_CHARS, TOO_LONG_REPLY


async def test_text_over_the_cap_gets_the_note_and_not_the_bot(harness: LineHarness) -> None:
    status, _ = await harness.client.post_events(make_event(text="あ" * 100_000))
    await harness.settle()
    assert status == 200
    assert harness.bot.received == []
    assert harness.line.sent_texts() == [TOO_LONG_REPLY]


async def test_text_of_lines_own_maximum_reaches_the_bot(harness: LineHarness) -> None:
    await harness.client.post_events(make_event(text="あ" * MAX_TEXT_CHARS))
    await harness.settle()
    assert [len(text) for text in harness.bot.texts] == [MAX_TEXT_CHARS]
