"""The LINE API client against a fake that answers like LINE: 400, 401, 409, 429 and 5xx.

A resident's answer must arrive when LINE is briefly overloaded (retry with backoff, honouring
Retry-After), must not arrive twice (push retry key), and a wrong token must be reported
loudly once instead of hammering LINE. Nothing a resident wrote, and no user id, is logged.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.line.client import (
    InvalidReplyTokenError,
    LineApiClient,
    LineApiError,
    LineAuthError,
    PushResult,
)
from tests.channels.line_testkit import TOKEN, USER_ID, FakeLineApi

TEXT = [{"type": "text", "text": "借金のことで眠れません"}]


class RecordingSleep:
    """Stands in for asyncio.sleep: records the backoff delays instead of waiting them."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def client(fake_line: FakeLineApi, sleeps: RecordingSleep) -> AsyncIterator[LineApiClient]:
    api = LineApiClient(TOKEN, fake_line.base_url, sleep=sleeps)
    yield api
    await api.close()


def _logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def _assert_no_personal_data(lines: list[str]) -> None:
    for line in lines:
        assert USER_ID not in line and "借金" not in line and TOKEN not in line, line


async def test_fake_refuses_more_than_five_messages_like_line(fake_line: FakeLineApi) -> None:
    body = {"to": USER_ID, "messages": [{"type": "text", "text": str(n)} for n in range(6)]}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake_line.base_url}/v2/bot/message/push",
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as response,
    ):
        assert response.status == 400
        assert "Size must be between 0 and 5" in await response.text()
    assert fake_line.sent_texts() == []


async def test_client_never_sends_more_than_five_messages(
    client: LineApiClient, fake_line: FakeLineApi
) -> None:
    with pytest.raises(ValueError):
        await client.push(USER_ID, TEXT * 6)
    assert fake_line.calls == []


async def test_used_reply_token_is_refused_the_second_time(
    client: LineApiClient, fake_line: FakeLineApi
) -> None:
    await client.reply("token-a", TEXT)
    with pytest.raises(InvalidReplyTokenError):
        await client.reply("token-a", TEXT)
    assert [call.status for call in fake_line.calls] == [200, 400]


async def test_expired_reply_token_is_refused(
    client: LineApiClient, fake_line: FakeLineApi
) -> None:
    fake_line.expired_tokens.add("token-old")
    with pytest.raises(InvalidReplyTokenError):
        await client.reply("token-old", TEXT)
    assert len(fake_line.calls) == 1  # not retried: it can never succeed


async def test_wrong_access_token_is_logged_once_and_not_retried(
    fake_line: FakeLineApi, sleeps: RecordingSleep, caplog: pytest.LogCaptureFixture
) -> None:
    api = LineApiClient("revoked-token", fake_line.base_url, sleep=sleeps)
    try:
        with caplog.at_level(logging.INFO, logger="bot.channels"), pytest.raises(LineAuthError):
            await api.push(USER_ID, TEXT)
    finally:
        await api.close()

    assert [call.status for call in fake_line.calls] == [401]
    assert sleeps.delays == []
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "401" in errors[0] and "LINE_CHANNEL_ACCESS_TOKEN" in errors[0]
    _assert_no_personal_data(_logged(caplog))
    assert "revoked-token" not in " ".join(_logged(caplog))


async def test_rate_limit_is_retried_with_exponential_backoff(
    client: LineApiClient, fake_line: FakeLineApi, sleeps: RecordingSleep
) -> None:
    fake_line.fail(429, times=2)
    result = await client.push(USER_ID, TEXT)

    assert result is PushResult.SENT
    assert [call.status for call in fake_line.calls] == [429, 429, 200]
    assert fake_line.sent_texts() == [TEXT[0]["text"]]
    # Doubling from 0.5 s, with at most 10% jitter so instances do not retry in lockstep.
    first, second = sleeps.delays
    assert 0.5 <= first <= 0.55 and 1.0 <= second <= 1.1
    # One logical push, one retry key: LINE can tell a retry from a new message.
    keys = {call.retry_key for call in fake_line.calls}
    assert len(keys) == 1 and None not in keys


async def test_retry_after_is_honoured(
    client: LineApiClient, fake_line: FakeLineApi, sleeps: RecordingSleep
) -> None:
    fake_line.fail(429, retry_after="3")
    await client.push(USER_ID, TEXT)

    assert sleeps.delays == [3.0]
    assert len(fake_line.accepted) == 1


async def test_server_error_on_reply_is_retried(
    client: LineApiClient, fake_line: FakeLineApi, sleeps: RecordingSleep
) -> None:
    fake_line.fail(500, kind="reply")
    await client.reply("token-b", TEXT)

    assert [call.status for call in fake_line.calls] == [500, 200]
    assert len(sleeps.delays) == 1


async def test_lasting_outage_gives_up_after_bounded_attempts_with_a_clean_log_line(
    client: LineApiClient,
    fake_line: FakeLineApi,
    sleeps: RecordingSleep,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_line.fail(503, times=100)
    with caplog.at_level(logging.INFO, logger="bot.channels"), pytest.raises(LineApiError) as err:
        await client.push(USER_ID, TEXT)

    assert err.value.status == 503
    assert len(fake_line.calls) == client.max_attempts == 4
    assert sleeps.delays == sorted(sleeps.delays) and len(sleeps.delays) == 3
    assert max(sleeps.delays) <= client.max_backoff_seconds
    gave_up = [line for line in _logged(caplog) if "gave up" in line]
    assert len(gave_up) == 1 and "503" in gave_up[0] and "4 attempts" in gave_up[0]
    _assert_no_personal_data(_logged(caplog))


async def test_unreachable_api_is_retried_then_reported(sleeps: RecordingSleep) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = LineApiClient(TOKEN, f"http://127.0.0.1:{port}", sleep=sleeps)
    try:
        with pytest.raises(LineApiError) as err:
            await api.push(USER_ID, TEXT)
    finally:
        await api.close()
    assert err.value.status == 0
    assert len(sleeps.delays) == api.max_attempts - 1


async def test_a_push_already_accepted_is_not_sent_twice(
    client: LineApiClient, fake_line: FakeLineApi
) -> None:
    first = await client.push(USER_ID, TEXT, retry_key="5b1c3f2e-0d1a-4b7e-9a53-2f0e8c4d1a77")
    again = await client.push(USER_ID, TEXT, retry_key="5b1c3f2e-0d1a-4b7e-9a53-2f0e8c4d1a77")

    assert (first, again) == (PushResult.SENT, PushResult.ALREADY_SENT)
    assert fake_line.sent_texts() == [TEXT[0]["text"]]
