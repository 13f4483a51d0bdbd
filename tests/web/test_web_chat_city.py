"""The page's city follows the conversation, told by the bot and checked by the proxy.

Why: the heading and the crisis link came only from ``?city=``, so after 「市をまちがえました、
益田です」 the page still said 宇部市 (and linked ube's crisis page) while the bot answered with
益田市's windows. The city actions add ``{"custom": {"city": code}}``; the proxy passes a served
code (or ``other``) on in the ``X-Chat-City`` header and nothing else of it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aiohttp import web
from web_helpers import MakeClient

from bot.web.proxy import CITY_HEADER

API = "/chat/api/message"


@pytest.fixture
async def city_rasa(aiohttp_server: Any) -> str:
    """Rasa answering with the custom city message the actions add (the text is its value)."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        custom: Any = json.loads(body["message"])
        return web.json_response(
            [
                {"recipient_id": body["sender"], "custom": custom},
                {"recipient_id": body["sender"], "text": "益田市ですね。"},
            ]
        )

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = await aiohttp_server(app)
    return f"http://127.0.0.1:{server.port}"


@pytest.mark.parametrize("city", ["masuda", "other"])
async def test_the_conversations_city_is_passed_to_the_page(
    make_client: MakeClient, city_rasa: str, city: str
) -> None:
    client = await make_client(city_rasa)
    response = await client.post(API, json={"message": json.dumps({"city": city})})
    assert response.status == 200
    assert response.headers[CITY_HEADER] == city
    assert await response.json() == [{"text": "益田市ですね。", "buttons": []}]


@pytest.mark.parametrize(
    "custom", [{"city": "tokyo"}, {"city": "_generic"}, {"city": 3}, {"city": "ube\r\nX: y"}, {}]
)
async def test_anything_but_a_served_city_is_not_passed(
    make_client: MakeClient, city_rasa: str, custom: dict[str, Any]
) -> None:
    client = await make_client(city_rasa)
    response = await client.post(API, json={"message": json.dumps(custom)})
    assert response.status == 200
    assert CITY_HEADER not in response.headers


async def test_the_page_knows_every_served_citys_name(client: Any) -> None:
    """So the script can name the corrected city in the heading without asking anyone."""
    html = await (await client.get("/chat?city=ube")).text()
    found = re.search(r"data-city-names='([^']*)'", html)
    assert found is not None
    names = json.loads(found.group(1))
    assert names["ube"] == "宇部市" and names["masuda"] == "益田市" and names["fuji"] == "富士市"
    assert "_generic" not in names
