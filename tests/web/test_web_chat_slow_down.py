"""A resident held back by the rate limits always sees how to reach a person now.

Why: the 429 once carried only 「メッセージが続いています…」, so a resident writing fast in
distress was never shown 119/110 or the crisis lines the README promises. The first refusal of
a window now carries the slow-down words with 119/110 and the lines staffed now; every later
refusal in that window still carries 119/110, however short.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from web_helpers import MakeClient

from bot.dialogue.flood_texts import LIFE_NOW, PERSON_NOW, SLOW_DOWN

API = "/chat/api/message"


async def say(client: TestClient, message: str) -> Any:
    return await client.post(API, json={"message": message})


def body_text(body: dict[str, Any]) -> str:
    """What the page shows: the message and every reply bubble."""
    return "\n".join([body["message"], *(reply["text"] for reply in body["replies"])])


async def test_first_refusal_carries_119_110_and_the_lines_open_now(
    make_client: MakeClient, fake_rasa: str
) -> None:
    client = await make_client(fake_rasa, rate_web_sender=1)
    assert (await say(client, "こんにちは")).status == 200
    refused = await say(client, "まだあります")
    assert refused.status == 429
    body = await refused.json()
    assert body["error"] == "slow_down"
    shown = body_text(body)
    assert SLOW_DOWN in shown and LIFE_NOW in shown and PERSON_NOW in shown
    assert "119" in body["message"] and "110" in body["message"]
    assert [reply["text"] for reply in body["replies"]][0] == SLOW_DOWN
    assert all(reply["buttons"] == [] for reply in body["replies"])


async def test_every_later_refusal_still_says_119_and_110(
    make_client: MakeClient, fake_rasa: str, fake_rasa_received: list[dict[str, Any]]
) -> None:
    client = await make_client(fake_rasa, rate_web_sender=1)
    await say(client, "こんにちは")
    await say(client, "まだ")  # the first refusal
    for n in range(3):
        later = await say(client, f"まだあります{n}")
        assert later.status == 429
        body = await later.json()
        assert "119" in body["message"] and "110" in body["message"]
        assert "119" in body_text(body) and body["replies"]
    assert len(fake_rasa_received) == 1


async def test_start_over_refused_carries_119_and_110_too(
    make_client: MakeClient, fake_rasa: str
) -> None:
    client = await make_client(fake_rasa, rate_web_new_conversations=1)
    assert (await client.post("/chat/api/new", json={})).status == 200
    for _ in range(2):
        refused = await client.post("/chat/api/new", json={})
        assert refused.status == 429
        body = await refused.json()
        assert "119" in body["message"] and "110" in body["message"]
