"""The chat API's answers to malformed bodies, with the stand-in Rasa (no model needed).

Protects: a message that is not text is called unreadable (not "empty"); a chunked body over
the size limit gets the chat's own Japanese 413 JSON, not aiohttp's English plain text; and
neither reaches Rasa. The whole table runs against the real Rasa in tests/badinput.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.badinput.cases import is_japanese

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("message", [12345, ["家賃"], {"text": "家賃"}, True])
async def test_a_message_that_is_not_text_is_unreadable(
    client: TestClient, fake_rasa_received: list[dict[str, Any]], message: Any
) -> None:
    response = await client.post("/chat/api/message", json={"message": message})
    assert response.status == 400
    payload = await response.json()
    assert payload["error"] == "invalid_json" and is_japanese(payload["message"])
    assert fake_rasa_received == []


async def test_chunked_oversize_body_gets_the_polite_413(
    client: TestClient, fake_rasa_received: list[dict[str, Any]]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"message": "'
        for _ in range(32):
            yield b"a" * 65536
        yield b'"}'

    response = await client.post("/chat/api/message", data=chunks(), headers=JSON)
    assert response.status == 413
    payload = await response.json()
    assert payload["error"] == "too_long" and is_japanese(payload["message"])
    assert fake_rasa_received == []
