"""Bad input through the residents' web chat API (``POST /chat/api/message``) in the console.

Protects: every row of the shared table gets either a polite Japanese refusal (a 4xx with
``{"error", "message"}``) or the real bot's Japanese answer; never a 5xx or an English stack
trace; a flood of 1,000 messages in a minute from one conversation reaches Rasa only as often
as the limit allows (counted in Rasa's own tracker, so nothing is stored beyond it); and text
a resident typed with markup reaches the staff console escaped. The console app (with the chat
plugin) runs in-process via ``aiohttp_client``; Rasa and the action server are the real ones
from the package fixture (the same the e2e suites use), not a stand-in.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot.console.app import create_app
from bot.settings import load_settings
from bot.tickets import Role, TicketStore
from bot.web import setup as web_chat
from bot.web.sender_cookie import COOKIE_NAME
from tests.badinput.cases import (
    BODY_CASES,
    FLOOD_MESSAGES,
    OVERSIZE_BYTES,
    TEXT_CASES,
    BodyCase,
    TextCase,
    body_ids,
    is_japanese,
    text_ids,
)
from tests.e2e.servers import RunningBot

pytestmark = pytest.mark.slow

SENDER_LIMIT = 10
JSON = {"Content-Type": "application/json"}
PASSWORD = "a-long-password-123"

# What the chat API must answer to each malformed body (status, error code).
WEB_EXPECT: dict[str, tuple[int, str]] = {
    "invalid-utf8": (400, "invalid_json"),
    "not-json": (400, "invalid_json"),
    "top-level-list": (400, "invalid_json"),
    # A message that is not text is a broken client, not an empty message.
    "message-number": (400, "invalid_json"),
    "message-list": (400, "invalid_json"),
    "message-object": (400, "invalid_json"),
    "message-null": (400, "empty"),
    "missing-message": (400, "empty"),
    "empty-object": (400, "empty"),
    "oversize": (413, "too_long"),
}


@pytest.fixture
def store(real_bot: RunningBot) -> Iterator[TicketStore]:
    ticket_store = TicketStore(real_bot.database_url)
    yield ticket_store
    ticket_store.dispose()


@pytest.fixture
def make_chat(real_bot: RunningBot, store: TicketStore, aiohttp_client: Any) -> Any:
    """The console with the chat plugin, as deployed, forwarding to the real Rasa.

    In-process counters (no Redis) so each test starts with fresh limits.
    """

    async def make(sender_limit: int = SENDER_LIMIT) -> TestClient:
        settings = dataclasses.replace(
            load_settings(),
            database_url=real_bot.database_url,
            rasa_url=real_bot.rasa_url,
            rasa_auth_token=real_bot.auth_token,
            redis_url=None,
            rate_web_sender=sender_limit,
        )
        return await aiohttp_client(create_app(settings, store, plugins=[web_chat]))

    return make


@pytest.fixture
async def chat(make_chat: Any) -> TestClient:
    return await make_chat()


async def _json_or_text(response: aiohttp.ClientResponse) -> Any:
    text = await response.text()
    try:
        return json.loads(text)
    except ValueError:
        return text


def _assert_polite_refusal(payload: Any, code: str) -> None:
    assert isinstance(payload, dict), payload
    assert payload["error"] == code, payload
    assert is_japanese(payload["message"]), payload


@pytest.mark.parametrize("case", TEXT_CASES, ids=text_ids())
async def test_odd_text_is_refused_politely_or_answered(chat: TestClient, case: TextCase) -> None:
    """Blank: 400 「空です」; over 2,000 characters: 413; anything else: the bot's answer."""
    response = await chat.post("/chat/api/message", json={"message": case.text})
    payload = await _json_or_text(response)
    if case.blank:
        assert response.status == 400
        _assert_polite_refusal(payload, "empty")
    elif case.too_long_for_web:
        assert response.status == 413
        _assert_polite_refusal(payload, "too_long")
    else:
        assert response.status == 200, payload
        answer = "\n".join(reply["text"] for reply in payload)
        assert answer.strip() and is_japanese(answer), payload
        assert "<script>" not in answer


@pytest.mark.parametrize("case", BODY_CASES, ids=body_ids())
async def test_malformed_body_gets_a_japanese_4xx(chat: TestClient, case: BodyCase) -> None:
    """Invalid UTF-8, wrong types, missing fields, oversize: the page can show the message."""
    status, code = WEB_EXPECT[case.id]
    response = await chat.post("/chat/api/message", data=case.body, headers=JSON)
    assert response.status == status
    _assert_polite_refusal(await _json_or_text(response), code)


async def test_oversize_body_without_content_length_gets_a_japanese_413(chat: TestClient) -> None:
    """A chunked body (no Content-Length) over the app's size limit: still the chat's own
    polite JSON 413, not aiohttp's English plain-text one."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"message": "'
        for _ in range(OVERSIZE_BYTES // 65536):
            yield b"a" * 65536
        yield b'"}'

    response = await chat.post("/chat/api/message", data=chunks(), headers=JSON)
    assert response.status == 413
    _assert_polite_refusal(await _json_or_text(response), "too_long")


def _sender_of(chat: TestClient) -> str:
    values = [c.value for c in chat.session.cookie_jar if c.key == COOKIE_NAME]
    assert len(values) == 1
    return values[0].split(".")[0]


async def test_a_thousand_messages_in_a_minute_reach_rasa_only_up_to_the_limit(
    chat: TestClient, real_bot: RunningBot
) -> None:
    """1,000 messages from one conversation: the first ``SENDER_LIMIT`` answered, the rest a
    polite 429 with Retry-After, no 5xx, and Rasa's tracker holds exactly the allowed ones."""
    statuses: list[int] = []
    started = time.monotonic()
    for n in range(FLOOD_MESSAGES):
        response = await chat.post("/chat/api/message", json={"message": f"テスト{n}"})
        statuses.append(response.status)
        if response.status == 429:
            payload = await response.json()
            assert is_japanese(payload["message"]) and "119" in payload["message"]
            assert int(response.headers["Retry-After"]) >= 1
        else:
            await response.read()
    assert time.monotonic() - started < 60  # "in a minute": the refusals are cheap
    assert statuses.count(200) == SENDER_LIMIT
    assert statuses.count(429) == FLOOD_MESSAGES - SENDER_LIMIT

    sender = _sender_of(chat)
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{real_bot.rasa_url}/conversations/{sender}/tracker",
            params={"token": real_bot.auth_token},
        ) as response,
    ):
        tracker = await response.json()
    users = [e for e in tracker["events"] if e["event"] == "user"]
    assert len(users) == SENDER_LIMIT


async def _say(chat: TestClient, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = await chat.post("/chat/api/message", json=body)
    assert response.status == 200, await response.text()
    return list(await response.json())


async def test_markup_a_resident_typed_reaches_the_console_escaped(
    make_chat: Any, store: TicketStore
) -> None:
    """A worry with <script> goes through the real bot into a ticket; the ticket page (as a
    coordinator sees it) shows it as text, never as markup."""
    chat = await make_chat(sender_limit=30)  # the whole intake is 12 messages
    worry = "久留米市に住んでいます。借金の督促が毎日来て困っています<script>alert(1)</script>"
    replies = await _say(chat, {"message": worry})
    buttons: dict[str, str] = {}

    async def answer(text: str) -> str:
        nonlocal replies, buttons
        buttons = {b["title"]: b["payload"] for r in replies for b in r["buttons"]}
        if text in buttons:
            replies = await _say(chat, {"message": buttons[text], "payload": True})
        else:
            replies = await _say(chat, {"message": text})
        return "\n".join(r["text"] for r in replies)

    for step in ["はい、連絡がほしい", "本人", "40〜64歳", "ひとり暮らし", "今週中", "電話"]:
        await answer(step)
    await answer("090-1234-5678")
    await answer("じろう")
    await answer("同意する")
    await answer("共有してよい")
    received = await answer("この内容で送る")
    reference = re.search(r"KURUME-\d{4}-\d{6}", received)
    assert reference, received

    username = f"kurume-c-{uuid.uuid4().hex[:6]}"
    store.create_user(username, PASSWORD, Role.COORDINATOR, "kurume")
    page = await chat.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert token
    login = await chat.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    assert login.status in (302, 303)
    html = await (await chat.get(f"/tickets/{reference.group(0)}")).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
