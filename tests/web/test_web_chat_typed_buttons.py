"""Typed text naming a button of the last reply is forwarded as that button's payload."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from web_helpers import MakeClient

from bot.dialogue.texts import YES_NO_CONTACT
from bot.intake.fields import CONTACT_METHOD
from bot.intake.questions import choice_buttons

API = "/chat/api/message"


@pytest.fixture
async def buttons_rasa(aiohttp_server: Any, fake_rasa_received: list[dict[str, Any]]) -> str:
    """Rasa asking the contact method first, then yes/no, whatever it is told."""
    questions = [choice_buttons(CONTACT_METHOD), YES_NO_CONTACT, ()]

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        fake_rasa_received.append(body)
        buttons = questions[min(len(fake_rasa_received) - 1, len(questions) - 1)]
        return web.json_response(
            [{"text": "えらんでください", "buttons": [b.as_dict() for b in buttons]}]
        )

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = await aiohttp_server(app)
    return f"http://127.0.0.1:{server.port}"


async def say(client: TestClient, message: str) -> None:
    assert (await client.post(API, json={"message": message})).status == 200


async def test_typed_kana_after_the_buttons_is_sent_as_the_button(
    make_client: MakeClient, buttons_rasa: str, fake_rasa_received: list[dict[str, Any]]
) -> None:
    client = await make_client(buttons_rasa)
    await say(client, "こんにちは")  # answered with the contact-method buttons
    await say(client, "でんわ")  # answered with yes/no
    await say(client, "はい")  # a short form of 「はい、連絡がほしい」
    await say(client, "でんわ")  # nothing offered now: words
    assert [r["message"] for r in fake_rasa_received] == ["こんにちは", "電話", "/affirm", "でんわ"]


async def test_a_sentence_after_the_buttons_stays_words(
    make_client: MakeClient, buttons_rasa: str, fake_rasa_received: list[dict[str, Any]]
) -> None:
    client = await make_client(buttons_rasa)
    await say(client, "こんにちは")
    await say(client, "電話は家族に聞かれるのでこまります")
    assert fake_rasa_received[-1]["message"] == "電話は家族に聞かれるのでこまります"
