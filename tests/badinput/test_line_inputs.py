"""Bad input through the LINE webhook of the real Rasa process (``/webhooks/line/webhook``).

Protects: signed bodies that are not LINE's shape get a 4xx and reach nobody; unsigned ones a
401; events with wrong types are skipped without harm; every odd text from the shared table
gets a Japanese answer at the (fake) LINE API, or, when blank, no Rasa turn at all; a message
longer than LINE itself allows gets a polite note instead of stalling Rasa; a redelivered
event is answered and stored once; 1,000 messages from one user in a minute reach Rasa only
up to the per-user limit (counted in Rasa's own tracker). Rasa, the action server and the
LINE channel are the real ones (package fixture); only LINE's API is the recording fake.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aiohttp
import pytest

from bot.channels.limits import MAX_TEXT_CHARS, TOO_LONG_REPLY
from tests.badinput.cases import (
    BODY_CASES,
    FLOOD_MESSAGES,
    TEXT_CASES,
    BodyCase,
    TextCase,
    body_ids,
    is_japanese,
    text_ids,
)
from tests.badinput.conftest import LINE_RATE_LIMIT, LineBot
from tests.channels.line_testkit import LineWebhookClient, make_event, webhook_body

pytestmark = pytest.mark.slow


def _user() -> str:
    return "U" + uuid.uuid4().hex


def _client(line_bot: LineBot) -> LineWebhookClient:
    return LineWebhookClient(line_bot.bot.rasa_url)


def _calls_for(line_bot: LineBot, user: str, tokens: set[str]) -> list[Any]:
    """Accepted calls answering ``tokens`` (replies) or pushed to ``user``."""
    return [
        call
        for call in list(line_bot.line.calls)
        if call.accepted and (call.body.get("replyToken") in tokens or call.body.get("to") == user)
    ]


async def _wait_for_answer(
    line_bot: LineBot, user: str, tokens: set[str], seconds: float = 30
) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _calls_for(line_bot, user, tokens):
            await asyncio.sleep(0.3)  # a push may follow the reply
            break
        await asyncio.sleep(0.1)
    calls = _calls_for(line_bot, user, tokens)
    return "\n".join(m.get("text", "") for call in calls for m in call.messages)


async def _user_turns(line_bot: LineBot, user: str) -> int:
    """How many user messages Rasa stored for ``user`` (its tracker, read with the token)."""
    bot = line_bot.bot
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{bot.rasa_url}/conversations/{user}/tracker", params={"token": bot.auth_token}
        ) as response,
    ):
        assert response.status == 200
        tracker = await response.json()
    return sum(1 for event in tracker["events"] if event["event"] == "user")


@pytest.mark.parametrize("case", TEXT_CASES, ids=text_ids())
async def test_odd_text_gets_a_japanese_answer_or_no_turn(
    line_bot: LineBot, case: TextCase
) -> None:
    """Blank text: no Rasa turn; too long for LINE: the polite note; else the bot's answer."""
    user, token = _user(), f"tok-{uuid.uuid4().hex}"
    source = {"type": "user", "userId": user}
    status, _ = await _client(line_bot).post_events(
        make_event(text=case.text, source=source, reply_token=token)
    )
    assert status == 200
    if case.blank:
        assert await _wait_for_answer(line_bot, user, {token}, seconds=2) == ""
        assert await _user_turns(line_bot, user) == 0
        return
    answer = await _wait_for_answer(line_bot, user, {token})
    if len(case.text) > MAX_TEXT_CHARS:
        assert answer == TOO_LONG_REPLY
        assert await _user_turns(line_bot, user) == 0
        return
    assert answer.strip() and is_japanese(answer), answer
    assert "<script>" not in answer
    assert await _user_turns(line_bot, user) == 1


@pytest.mark.parametrize("case", BODY_CASES, ids=body_ids())
async def test_signed_body_of_the_wrong_shape_is_4xx(line_bot: LineBot, case: BodyCase) -> None:
    """Even correctly signed, a body that is not LINE's webhook shape reaches nobody."""
    before = len(line_bot.line.calls)
    status, _ = await _client(line_bot).post(case.body)
    assert 400 <= status < 500
    unsigned, _ = await _client(line_bot).post(case.body, signature=None)
    assert unsigned in (401, 413)  # the size check comes before the signature's
    await asyncio.sleep(0.2)
    assert len(line_bot.line.calls) == before


async def test_events_with_wrong_types_are_skipped_and_the_channel_goes_on(
    line_bot: LineBot,
) -> None:
    """Non-object events, numbers for text, a string for source: 200, nothing sent, no turn;
    a normal message right after is still answered."""
    user = _user()
    source = {"type": "user", "userId": user}
    odd: list[Any] = [
        1,
        "x",
        None,
        {"type": 5},
        make_event(message={"type": "text", "text": 123}, source=source, reply_token="odd-1"),
        make_event(message={"type": "text"}, source=source, reply_token="odd-2"),
        make_event(text="家賃", source={"type": "user", "userId": 42}, reply_token="odd-3"),
        {**make_event(text="家賃", reply_token="odd-4"), "source": "Uabc"},
    ]
    status, _ = await _client(line_bot).post(webhook_body(*odd))
    assert status == 200
    token = f"tok-{uuid.uuid4().hex}"
    await _client(line_bot).post_events(
        make_event(text="借金が返せなくて困っています", source=source, reply_token=token)
    )
    assert "借金" in await _wait_for_answer(line_bot, user, {token})
    assert not _calls_for(line_bot, user, {"odd-1", "odd-2", "odd-3", "odd-4"})
    assert await _user_turns(line_bot, user) == 1


async def test_a_redelivered_event_is_answered_and_stored_once(line_bot: LineBot) -> None:
    """LINE redelivers an event it thinks failed: one answer, one turn in the tracker."""
    user, token = _user(), f"tok-{uuid.uuid4().hex}"
    first = make_event(
        text="家賃が払えません", source={"type": "user", "userId": user}, reply_token=token
    )
    again = {**first, "deliveryContext": {"isRedelivery": True}}
    assert (await _client(line_bot).post_events(first))[0] == 200
    assert (await _client(line_bot).post_events(again))[0] == 200
    assert await _wait_for_answer(line_bot, user, {token})
    await asyncio.sleep(1.0)
    assert len([c for c in _calls_for(line_bot, user, {token}) if c.kind == "reply"]) == 1
    assert await _user_turns(line_bot, user) == 1


async def test_a_thousand_messages_in_a_minute_reach_rasa_only_up_to_the_limit(
    line_bot: LineBot,
) -> None:
    """1,000 messages from one user: every webhook call 200 (LINE must not retry), the first
    ``LINE_RATE_LIMIT`` reach Rasa, one slow-down note, the rest stay quiet."""
    user = _user()
    source = {"type": "user", "userId": user}
    tokens = {f"flood-{user}-{n}" for n in range(FLOOD_MESSAGES)}
    client = _client(line_bot)
    started = time.monotonic()
    statuses = [
        (await client.post_events(make_event(text=f"テスト{n}", source=source, reply_token=t)))[0]
        for n, t in enumerate(sorted(tokens))
    ]
    assert time.monotonic() - started < 60
    assert statuses == [200] * FLOOD_MESSAGES
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if await _user_turns(line_bot, user) >= LINE_RATE_LIMIT:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(2.0)
    assert await _user_turns(line_bot, user) == LINE_RATE_LIMIT
    answered = _calls_for(line_bot, user, tokens)
    # The allowed messages' answers plus the one slow-down note (it names 119/110).
    assert len(answered) == LINE_RATE_LIMIT + 1
    assert any("119" in m.get("text", "") for call in answered for m in call.messages)
