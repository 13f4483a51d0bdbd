"""Bad input straight to Rasa's REST channel (``/webhooks/rest/webhook``), the real bot.

Protects: whatever a client posts to the REST channel, the bot answers in Japanese or the
request is refused with a 4xx; nothing gives a 5xx or stops the server, and the conversation
carries on afterwards. The real Rasa + action server are shared by the package (conftest).
"""

from __future__ import annotations

import json
import time
import uuid

import aiohttp
import pytest

from bot.channels.limits import MAX_TEXT_CHARS
from tests.badinput.cases import (
    BODY_CASES,
    TEXT_CASES,
    BodyCase,
    TextCase,
    body_ids,
    is_japanese,
    text_ids,
)
from tests.e2e.servers import RunningBot

pytestmark = pytest.mark.slow

TIMEOUT = aiohttp.ClientTimeout(total=60)


async def _post(bot: RunningBot, body: bytes) -> tuple[int, object]:
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(
            f"{bot.rasa_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        ) as response,
    ):
        text = await response.text()
        try:
            return response.status, await response.json(content_type=None)
        except ValueError:
            return response.status, text


def _reply_text(payload: object) -> str:
    assert isinstance(payload, list), payload
    return "\n".join(str(item.get("text") or "") for item in payload if isinstance(item, dict))


@pytest.mark.parametrize("case", TEXT_CASES, ids=text_ids())
async def test_odd_text_gets_a_japanese_answer(real_bot: RunningBot, case: TextCase) -> None:
    """Empty, control characters, emoji only, markup, SQL: the bot's Japanese answer; longer
    than any channel allows (100,000 characters): a polite 413 at once, not minutes of NLU."""
    sender = f"bad-rest-{case.id}-{uuid.uuid4().hex[:6]}"
    body = json.dumps({"sender": sender, "message": case.text}).encode()
    started = time.monotonic()
    status, payload = await _post(real_bot, body)
    if len(case.text) > MAX_TEXT_CHARS:
        assert status == 413, (status, payload)
        assert isinstance(payload, dict) and is_japanese(payload["message"]), payload
        assert time.monotonic() - started < 5
        return
    assert status == 200, (status, payload)
    answer = _reply_text(payload)
    assert answer.strip(), "the bot must answer something"
    assert is_japanese(answer), answer
    assert "<script>" not in answer  # the bot never echoes markup back


@pytest.mark.parametrize("case", BODY_CASES, ids=body_ids())
async def test_malformed_body_gets_a_japanese_4xx(real_bot: RunningBot, case: BodyCase) -> None:
    """Invalid UTF-8, wrong types, missing fields, oversize: a 4xx the client can show, never
    Rasa's 500 (a JSON list) or its silent ``[]`` (a message that is not text)."""
    status, payload = await _post(real_bot, case.body)
    assert 400 <= status < 500, (status, payload)
    assert isinstance(payload, dict) and is_japanese(payload["message"]), payload


async def test_the_server_still_answers_after_the_table(real_bot: RunningBot) -> None:
    """After every bad input above, a normal worry is still routed (the server did not stop)."""
    body = json.dumps(
        {"sender": f"after-{uuid.uuid4().hex[:6]}", "message": "借金が返せなくて困っています"}
    ).encode()
    status, payload = await _post(real_bot, body)
    assert status == 200
    assert "借金" in _reply_text(payload)
