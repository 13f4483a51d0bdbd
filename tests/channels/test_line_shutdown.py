"""On shutdown the channel finishes what it accepted, or tells the resident to send it again.

LINE has no acknowledgement beyond the webhook's 200, so an event we answered 200 for and did
not finish is lost unless we say so: the resident gets a short request to send it again.
Deliveries arriving while we stop get 503, so LINE's webhook redelivery can bring them back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest
from line_testkit import (
    SECRET,
    TOKEN,
    USER_ID,
    FakeLineApi,
    LineHarness,
    StubBot,
    make_event,
    serve_harness,
    webhook_body,
)
from sanic.config import DEFAULT_CONFIG as SANIC_DEFAULTS

from bot.channels.line import LineInput
from bot.channels.line_texts import RESEND_AFTER_SHUTDOWN

OTHER_USER = "Ufedcba9876543210fedcba9876543210"


@pytest.fixture
async def short_harness(fake_line: FakeLineApi) -> AsyncIterator[LineHarness]:
    """A channel that waits at most 0.3 s for running events when the server stops."""
    channel = LineInput(SECRET, TOKEN, fake_line.base_url, shutdown_timeout_seconds=0.3)
    async with serve_harness(channel, fake_line) as harness:
        yield harness


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

    await harness.app.stop()  # the fixture's stop afterwards does nothing

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

    from bot.line.signature import compute_signature

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
    async with serve_harness(channel, fake_line) as h:
        await asyncio.wait_for(h.app.stop(), 2)
    assert fake_line.calls == []


def test_longest_default_shutdown_fits_in_sanics_graceful_shutdown_with_a_margin() -> None:
    """Waiting for running events, then for the "please send again" notices, must end well
    before Sanic's graceful shutdown limit, or the process is stopped mid-notice and the
    residents are told nothing. The margin covers closing the HTTP session and Redis."""
    graceful = float(SANIC_DEFAULTS["GRACEFUL_SHUTDOWN_TIMEOUT"])
    channel = LineInput(SECRET, TOKEN)

    assert channel.longest_shutdown_seconds <= graceful - 2.0


async def test_shutdown_with_line_hanging_ends_within_the_longest_shutdown(
    fake_line: FakeLineApi,
) -> None:
    """A bot that never finishes and a LINE that does not answer the notices: stopping still
    takes no longer than both waits together (plus a little for closing)."""
    channel = LineInput(
        SECRET,
        TOKEN,
        fake_line.base_url,
        shutdown_timeout_seconds=0.3,
        resend_notice_timeout_seconds=0.3,
    )
    async with serve_harness(channel, fake_line) as h:
        h.bot.delay_seconds = 30
        await h.client.post_events(make_event(text="もう限界です"))
        await _until_received(h.bot, 1)
        fake_line.delay_seconds = 3
        started = time.monotonic()
        await h.app.stop()
        elapsed = time.monotonic() - started

    assert channel.longest_shutdown_seconds == pytest.approx(0.6)
    assert elapsed < channel.longest_shutdown_seconds + 0.5
    assert fake_line.sent_texts() == []  # LINE never answered: nothing counted as sent
