"""The same-origin proxy to Rasa: what it accepts, what it forwards, how it fails politely."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient
from web_helpers import MakeClient, closed_port

from bot.web.texts import MAX_MESSAGE_CHARS

SENDER = "0123456789abcdef0123456789abcdef"
JSON = {"Content-Type": "application/json"}


def is_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" for ch in text)


async def test_message_is_forwarded_and_only_text_and_buttons_come_back(
    client: TestClient, fake_rasa_received: list[dict[str, Any]]
) -> None:
    response = await client.post(
        "/chat/api/message", json={"sender": SENDER, "message": "  家賃が払えません  "}
    )
    assert response.status == 200
    assert len(fake_rasa_received) == 1
    forwarded = fake_rasa_received[0]
    assert forwarded["message"] == "家賃が払えません" and forwarded["input_channel"] == "web"
    assert forwarded["sender"].startswith("web-")
    assert await response.json() == [
        {"text": "受け取りました：家賃が払えません", "buttons": []},
        {"text": "連絡を希望しますか？", "buttons": [{"title": "いいえ", "payload": "/deny"}]},
    ]


async def test_invalid_json_is_refused_in_japanese(client: TestClient) -> None:
    for body in (b"{not json", b"[1, 2]", b'"text"', "\udc80".encode("utf-8", "surrogatepass")):
        response = await client.post("/chat/api/message", data=body, headers=JSON)
        assert response.status == 400, body
        payload = await response.json()
        assert payload["error"] == "invalid_json" and is_japanese(payload["message"])


async def test_non_json_posts_are_refused(client: TestClient) -> None:
    # A plain HTML form on another site can only send these types, never application/json.
    response = await client.post("/chat/api/message", data={"sender": SENDER, "message": "x"})
    assert response.status == 415
    assert is_japanese((await response.json())["message"])


async def test_empty_message_is_not_forwarded(
    client: TestClient, fake_rasa_received: list[dict[str, Any]]
) -> None:
    for message in ("", "   \n ", None):
        response = await client.post(
            "/chat/api/message", json={"sender": SENDER, "message": message}
        )
        assert response.status == 400
        assert (await response.json())["error"] == "empty"
    assert fake_rasa_received == []


async def test_too_long_message_gets_a_polite_note(
    client: TestClient, fake_rasa_received: list[dict[str, Any]]
) -> None:
    just_right = await client.post(
        "/chat/api/message", json={"sender": SENDER, "message": "あ" * MAX_MESSAGE_CHARS}
    )
    assert just_right.status == 200
    too_long = await client.post(
        "/chat/api/message", json={"sender": SENDER, "message": "あ" * (MAX_MESSAGE_CHARS + 1)}
    )
    assert too_long.status == 413
    payload = await too_long.json()
    assert payload["error"] == "too_long"
    assert f"{MAX_MESSAGE_CHARS}文字" in payload["message"]
    assert len(fake_rasa_received) == 1


async def test_huge_body_is_refused_before_parsing(client: TestClient) -> None:
    body = json.dumps({"sender": SENDER, "message": "x" * 100_000}).encode()
    response = await client.post("/chat/api/message", data=body, headers=JSON)
    assert response.status == 413


async def test_rasa_down_gives_a_polite_503(make_client: MakeClient) -> None:
    client = await make_client(f"http://127.0.0.1:{closed_port()}")
    response = await client.post("/chat/api/message", json={"sender": SENDER, "message": "はい"})
    assert response.status == 503
    payload = await response.json()
    assert payload["error"] == "unavailable"
    assert "もう一度" in payload["message"]


async def test_rasa_error_is_not_passed_to_the_resident(client: TestClient) -> None:
    response = await client.post("/chat/api/message", json={"sender": SENDER, "message": "boom"})
    assert response.status == 502
    text = await response.text()
    assert "Traceback" not in text and "secret" not in text
    assert is_japanese((await response.json())["message"])


async def test_only_post_is_allowed(client: TestClient) -> None:
    assert (await client.get("/chat/api/message")).status == 405


async def test_typed_slash_text_is_words_but_offered_button_payloads_pass(
    client: TestClient, fake_rasa_received: list[dict[str, Any]]
) -> None:
    """A resident cannot trigger intents by typing "/restart"; the bot's offered buttons can."""
    await client.post("/chat/api/message", json={"sender": SENDER, "message": "/restart"})
    # The fake bot offered 「いいえ」 (/deny) in that reply: the page's button press passes.
    await client.post(
        "/chat/api/message", json={"sender": SENDER, "message": "/deny", "payload": True}
    )
    assert [r["message"] for r in fake_rasa_received] == ["／restart", "/deny"]
