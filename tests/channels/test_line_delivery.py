"""How the channel delivers an answer when LINE says no: push fallback, retry, give up cleanly.

Each test drives the real webhook against the fake LINE API, which answers like LINE: a reply
token works once, 401 for a wrong token, 429 and 5xx on demand.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from line_testkit import (
    SECRET,
    TOKEN,
    USER_ID,
    FakeLineApi,
    LineHarness,
    make_event,
    serve_harness,
)

from bot.channels.line import LineInput
from bot.line.client import LineApiClient

SECRET_TEXT = "夫に殴られています"


async def _no_wait(_seconds: float) -> None:
    return None


@pytest.fixture
async def fast_retry_harness(fake_line: FakeLineApi) -> AsyncIterator[LineHarness]:
    """The channel with a client whose backoff does not actually wait (same attempts)."""
    channel = LineInput(
        SECRET,
        TOKEN,
        fake_line.base_url,
        api_client=LineApiClient(TOKEN, fake_line.base_url, sleep=_no_wait),
    )
    async with serve_harness(channel, fake_line) as harness:
        yield harness


def _clean(lines: list[str]) -> None:
    for line in lines:
        assert USER_ID not in line and SECRET_TEXT not in line and TOKEN not in line, line


async def test_a_used_reply_token_falls_back_to_push(fast_retry_harness: LineHarness) -> None:
    h = fast_retry_harness
    await h.client.post_events(make_event(text="一つ目", reply_token="token-x"))
    await h.settle()
    # LINE never issues a token twice; a (buggy) reuse must still reach the resident.
    await h.client.post_events(make_event(text="二つ目", reply_token="token-x"))
    await h.settle()

    assert [(c.kind, c.status) for c in h.line.calls] == [
        ("reply", 200),
        ("reply", 400),
        ("push", 200),
    ]
    assert h.line.calls[-1].body["to"] == USER_ID
    assert len(h.line.sent_texts()) == 2


async def test_expired_reply_token_falls_back_to_push(fast_retry_harness: LineHarness) -> None:
    h = fast_retry_harness
    h.line.expired_tokens.add("token-late")
    await h.client.post_events(make_event(text="おそくなりました", reply_token="token-late"))
    await h.settle()

    assert [(c.kind, c.status) for c in h.line.calls] == [("reply", 400), ("push", 200)]


async def test_rate_limited_reply_is_retried_and_arrives(fast_retry_harness: LineHarness) -> None:
    h = fast_retry_harness
    h.line.fail(429, times=2, kind="reply")
    await h.client.post_events(make_event(text="相談"))
    await h.settle()

    assert [(c.kind, c.status) for c in h.line.calls] == [
        ("reply", 429),
        ("reply", 429),
        ("reply", 200),
    ]
    assert h.line.sent_texts() == ["はい、お聞きします。"]


async def test_server_errors_on_push_are_retried(fast_retry_harness: LineHarness) -> None:
    h = fast_retry_harness
    h.line.reject_reply_tokens = True
    h.line.fail(502, kind="push")
    await h.client.post_events(make_event(text="相談"))
    await h.settle()

    assert [(c.kind, c.status) for c in h.line.calls] == [
        ("reply", 400),
        ("push", 502),
        ("push", 200),
    ]
    assert h.line.sent_texts() == ["はい、お聞きします。"]


async def test_lasting_outage_ends_with_one_clean_log_line(
    fast_retry_harness: LineHarness, caplog: pytest.LogCaptureFixture
) -> None:
    h = fast_retry_harness
    h.line.fail(503, times=50)
    event = make_event(text=SECRET_TEXT)
    with caplog.at_level(logging.INFO, logger="bot.channels"):
        await h.client.post_events(event)
        await h.settle()

    assert h.line.sent_texts() == []
    assert len(h.line.calls) <= 2 * 4  # bounded: reply attempts, then push attempts
    lines = [r.getMessage() for r in caplog.records]
    not_delivered = [line for line in lines if "not delivered" in line]
    assert len(not_delivered) == 1
    assert event["webhookEventId"] in not_delivered[0] and "503" in not_delivered[0]
    assert not any(r.exc_info for r in caplog.records)  # no traceback for a known outage
    _clean(lines)


async def test_wrong_access_token_logs_an_error_and_is_not_retried(
    fake_line: FakeLineApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake_line.access_token = "the-real-token"
    channel = LineInput(
        SECRET,
        TOKEN,
        fake_line.base_url,
        api_client=LineApiClient(TOKEN, fake_line.base_url, sleep=_no_wait),
    )
    async with serve_harness(channel, fake_line) as h:
        with caplog.at_level(logging.INFO, logger="bot.channels"):
            await h.client.post_events(make_event(text=SECRET_TEXT))
            await h.settle()

    assert [c.status for c in fake_line.calls] == [401]  # no retry, no pointless push
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("LINE_CHANNEL_ACCESS_TOKEN" in line for line in errors)
    _clean([r.getMessage() for r in caplog.records])


async def test_many_answers_are_sent_in_batches_of_at_most_five(
    fast_retry_harness: LineHarness,
) -> None:
    h = fast_retry_harness
    # Twelve texts too long to merge: 5 by reply, then 5 and 2 by push. LINE never says 400.
    h.bot.responses = lambda text: [{"text": f"{n:02d}" + "あ" * 4500 + "。"} for n in range(12)]
    await h.client.post_events(make_event(text="教えてください"))
    await h.settle()

    assert [(c.kind, len(c.messages), c.status) for c in h.line.calls] == [
        ("reply", 5, 200),
        ("push", 5, 200),
        ("push", 2, 200),
    ]
    assert [t[:2] for t in h.line.sent_texts()] == [f"{n:02d}" for n in range(12)]
