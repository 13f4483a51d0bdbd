"""Fixtures for the residents' web chat: the chat alone on an app, and a fake Rasa server."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from web_helpers import MakeClient, chat_settings

from bot.web import create_web_app


@pytest.fixture
def fake_rasa_received() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def fake_rasa_queries() -> list[dict[str, str]]:
    """The query string of each request Rasa received (where ``?token=`` travels)."""
    return []


@pytest.fixture
async def fake_rasa(
    aiohttp_server: Any,
    fake_rasa_received: list[dict[str, Any]],
    fake_rasa_queries: list[dict[str, str]],
) -> str:
    """Rasa's REST channel as far as the proxy sees it: echoes with one button and extra keys."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        fake_rasa_received.append(body)
        fake_rasa_queries.append(dict(request.query))
        if body["message"] == "boom":
            return web.Response(status=500, text="Traceback (most recent call last): secret")
        return web.json_response(
            [
                {"recipient_id": body["sender"], "text": "受け取りました：" + body["message"]},
                {
                    "recipient_id": body["sender"],
                    "text": "連絡を希望しますか？",
                    "buttons": [{"title": "いいえ", "payload": "/deny"}, {"title": 1}],
                    "custom": {"internal": "not for residents"},
                },
            ]
        )

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = await aiohttp_server(app)
    return f"http://127.0.0.1:{server.port}"


@pytest.fixture
def make_client(aiohttp_client: Any) -> MakeClient:
    async def make(rasa_url: str, **settings: Any) -> TestClient:
        return await aiohttp_client(create_web_app(chat_settings(rasa_url, **settings)))

    return make


@pytest.fixture
async def client(make_client: MakeClient, fake_rasa: str) -> TestClient:
    return await make_client(fake_rasa)
