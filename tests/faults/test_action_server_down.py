"""The action server down, against the real Rasa server: residents still get lines and windows.

Protects: with the action endpoint pointing at a port where nothing listens, Rasa alone used
to answer every turn with nothing (it logs the failed action call and goes on). Now a resident
writing that they want to die gets the crisis lines (the very lines of the normal answer), a
resident with a worry in a known city gets that city's window and its sourced phone, over the
REST webhook (the city website's chat) and over LINE (a fake LINE API), and every such answer
says that 担当者へのおつなぎ（相談の受付） is briefly unavailable. When the action server comes
up on that same port, the very next message gets the normal answer (the handoff offer), with
no restart of Rasa.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.degraded import HANDOFF_PAUSED
from bot.dialogue import texts
from bot.dialogue.answer_shape import lead_window
from bot.directory import load_directory
from bot.tickets import upgrade_database
from tests.channels.line_testkit import SECRET, FakeLineApi, LineWebhookClient, make_event
from tests.e2e.servers import (
    action_endpoint_yaml,
    action_server,
    bot_env,
    rasa_server,
    tracker_store_yaml,
)
from tests.ports import free_port

pytestmark = pytest.mark.slow

SUICIDAL = "もう死にたいです。生きているのがつらくてたまりません"
WORRY_IN_UBE = "宇部市に住んでいます。借金の返済ができなくて困っています"


async def _rest(rasa_url: str, sender: str, text: str) -> list[dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=aiohttp.ClientTimeout(total=120),
        ) as response,
    ):
        assert response.status == 200
        return list(await response.json())


def _texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages if m.get("text")]


def _payloads(messages: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


async def _line(fake: FakeLineApi, client: LineWebhookClient, text: str, token: str) -> str:
    """One LINE message; the texts that reached the fake LINE API for it."""
    before = len(fake.accepted)
    status, _ = await client.post_events(make_event(text=text, reply_token=token))
    assert status == 200
    for _ in range(240):
        await asyncio.sleep(0.25)
        if len(fake.accepted) > before:
            await asyncio.sleep(0.5)  # a push may follow the reply
            break
    else:
        raise AssertionError("no answer reached LINE")
    return "\n".join(m.get("text", "") for call in fake.accepted[before:] for m in call.messages)


async def test_residents_are_answered_without_the_action_server_and_recover_without_restart(
    tmp_path: Path,
) -> None:
    directory = load_directory()
    route = directory.route("ube", ["debt"])
    lead = lead_window(route, route.coordinator)
    phone = lead.contacts_of("phone")[0].shown

    database_url = f"sqlite:///{tmp_path / 'tickets.sqlite3'}"
    upgrade_database(database_url)
    fake = FakeLineApi()
    await fake.start()
    env = bot_env(
        tmp_path / "var",
        database_url,
        {
            "LINE_CHANNEL_SECRET": SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": "test-access-token",
            "LINE_API_BASE": fake.base_url,
        },
    )
    action_port = free_port()  # nothing listens here until the action server starts
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        action_endpoint_yaml(f"http://127.0.0.1:{action_port}/webhook")
        + tracker_store_yaml(database_url, tmp_path / "var"),
        encoding="utf-8",
    )
    try:
        with rasa_server(tmp_path, endpoints, env) as rasa_url:
            # -- the action server is down ---------------------------------------------------
            crisis = await _rest(rasa_url, "down-crisis", SUICIDAL)
            worry = await _rest(rasa_url, "down-worry", WORRY_IN_UBE)
            for answer in (crisis, worry):
                assert sum(HANDOFF_PAUSED in t for t in _texts(answer)) == 1, answer
                assert "担当者へのおつなぎ" in "\n".join(_texts(answer))
                assert "/affirm" not in _payloads(answer)
            worry_text = "\n".join(_texts(worry))
            assert lead.name in worry_text and phone in worry_text
            assert {"recipient_id": "down-worry", "custom": {"city": "ube"}} in worry

            line_crisis = await _line(fake, LineWebhookClient(rasa_url), SUICIDAL, "token-1")
            assert HANDOFF_PAUSED in line_crisis

            # -- the action server comes up on the same port, Rasa keeps running ----------------
            with action_server(tmp_path, env, port=action_port) as action_url:
                assert action_url == f"http://127.0.0.1:{action_port}/webhook"
                normal_crisis = await _rest(rasa_url, "up-crisis", SUICIDAL)
                normal_worry = await _rest(rasa_url, "down-worry", WORRY_IN_UBE)
                line_normal = await _line(fake, LineWebhookClient(rasa_url), SUICIDAL, "token-2")
    finally:
        await fake.close()

    # The normal answers are back, with what needs the action server: the handoff offer.
    for answer in (normal_crisis, normal_worry):
        assert not any(HANDOFF_PAUSED in t for t in _texts(answer)), answer
    assert "/affirm" in _payloads(normal_worry)
    assert texts.OFFER_CONTACT in _texts(normal_worry)
    assert "/continue_consultation" in _payloads(normal_crisis)
    assert HANDOFF_PAUSED not in line_normal
    # The degraded crisis answer had the very lines of the normal one, first.
    lines = [t for t in _texts(normal_crisis) if t != texts.CONTINUE_AFTER_CRISIS]
    assert _texts(crisis)[: len(lines)] == lines
    assert all(line in line_crisis for line in lines)
