"""On shutdown the channel finishes what it accepted, or tells the resident to send it again.

LINE has no acknowledgement beyond the webhook's 200, so an event we answered 200 for and did
not finish is lost unless we say so: the resident gets a short request to send it again.
Deliveries arriving while we stop get 503, so LINE's webhook redelivery can bring them back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from line_testkit import (
    SECRET,
    TOKEN,
    USER_ID,
    FakeLineApi,
    LineHarness,
    LineWebhookClient,
    StubBot,
    make_event,
    serve_channel,
    webhook_body,
)

from bot.channels.line import LineInput
from bot.channels.line_texts import RESEND_AFTER_SHUTDOWN

OTHER_USER = "Ufedcba9876543210fedcba9876543210"


@pytest.fixture
async def short_harness(fake_line: FakeLineApi) -> AsyncIterator[LineHarness]:
    """A channel that waits at most 0.3 s for running events when the server stops."""
    channel = LineInput(SECRET, TOKEN, fake_line.base_url, shutdown_timeout_seconds=0.3)
    bot = StubBot()
    app = await serve_channel(channel, bot)
    yield LineHarness(channel, bot, LineWebhookClient(app.base_url), fake_line, app)
    if not channel.closing:
        await app.stop()


async def _until_received(bot: StubBot, count: int) -> None:
    for _ in range(200):
        if len(bot.received) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the bot never got the message")


async def test_event_in_flight_is_finished_before_the_server_stops(harness: LineHarness) -> None:
    harness.bot.delay_seconds = 0.5
    await harness.client.post_events(make_event(text="家賃が払えません"))
    await _until_received(harness.bot, 1)

    await harness.app.stop()  # the fixture's stop afterwards is harmless

    assert harness.line.sent_texts() == ["はい、お聞きします。"]


async def test_event_that_cannot_finish_in_time_gets_a_request_to_send_again(
    short_harness: LineHarness, caplog: pytest.LogCaptureFixture
) -> None:
    h = short_harness
    h.bot.delay_seconds = 30
    with caplog.at_level(logging.INFO, logger="bot.channels"):
        await h.client.post_events(make_event(text="もう限界です"))
        await _until_received(h.bot, 1)
        await asyncio.wait_for(h.app.stop(), 5)

    assert h.line.sent_texts() == [RESEND_AFTER_SHUTDOWN]
    assert h.line.calls[0].kind == "reply"  # the fresh reply token is used: free, immediate
    assert "もう一度送ってください" in RESEND_AFTER_SHUTDOWN
    summary = [r.getMessage() for r in caplog.records if "shutdown" in r.getMessage()]
    assert summary == [
        "LINE: shutdown: 0 events finished, 1 handed back (1 residents asked to send again)"
    ]
    for record in caplog.records:
        assert USER_ID not in record.getMessage() and "限界" not in record.getMessage()


async def test_queued_events_of_one_delivery_are_handed_back_once_per_resident(
    short_harness: LineHarness,
) -> None:
    h = short_harness
    h.bot.delay_seconds = 30
    other = {"type": "user", "userId": OTHER_USER}
    await h.client.post_events(
        make_event(text="一つ目", reply_token="t1"),
        make_event(text="二つ目", reply_token="t2"),
    )
    await h.client.post_events(make_event(text="別の人", reply_token="t3", source=other))
    await _until_received(h.bot, 2)
    await asyncio.wait_for(h.app.stop(), 5)

    asked = sorted((call.body.get("to") or call.body.get("replyToken")) for call in h.line.accepted)
    assert asked == ["t1", "t3"]  # one request per resident, never one per message
    assert h.line.sent_texts() == [RESEND_AFTER_SHUTDOWN] * 2


async def test_deliveries_during_shutdown_are_refused_so_line_can_redeliver(
    short_harness: LineHarness,
) -> None:
    from line_testkit import SECRET as secret

    from bot.channels.line_signature import compute_signature

    h = short_harness
    h.bot.delay_seconds = 30
    await h.client.post_events(make_event(text="一つ目"))
    await _until_received(h.bot, 1)
    closing = asyncio.create_task(h.channel.aclose())
    await asyncio.sleep(0.05)

    body = webhook_body(make_event(text="二つ目", reply_token="t9"))
    status, _ = h.channel.accept(body, compute_signature(secret, body), StubBot())
    await closing
    await h.app.stop()

    assert status == 503
    assert h.bot.texts == ["一つ目"]


async def test_shutdown_with_nothing_running_is_quiet_and_quick(
    fake_line: FakeLineApi,
) -> None:
    channel = LineInput(SECRET, TOKEN, fake_line.base_url)
    app = await serve_channel(channel, StubBot())
    await asyncio.wait_for(app.stop(), 2)
    assert fake_line.calls == []
