"""HTTPS behind the city's proxy: Secure cookie, HSTS, and a warning for a misread proxy."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from web_helpers import MakeClient

from bot.httputil import forwarded
from bot.web.sender_cookie import COOKIE_NAME

API = "/chat/api/message"


def sender_cookie_header(response: Any) -> str:
    headers = [h for h in response.headers.getall("Set-Cookie", []) if COOKIE_NAME in h]
    assert len(headers) == 1, response.headers
    return str(headers[0])


async def post(client: TestClient, **headers: str) -> Any:
    client.session.cookie_jar.clear()
    return await client.post(API, json={"message": "こんにちは"}, headers=headers)


async def test_cookie_is_secure_when_our_tls_proxy_says_https(
    make_client: MakeClient, fake_rasa: str
) -> None:
    """nginx passes ``Host: 127.0.0.1:8080`` by default, so the Host cannot tell; the trusted
    proxy's ``X-Forwarded-Proto: https`` can. From an untrusted client it changes nothing."""
    behind_proxy = await make_client(fake_rasa, web_trusted_proxy_hops=1)
    response = await post(behind_proxy, Host="127.0.0.1:8080", **{"X-Forwarded-Proto": "https"})
    assert "Secure" in sender_cookie_header(response)
    plain = await post(behind_proxy, Host="127.0.0.1:8080", **{"X-Forwarded-Proto": "http"})
    assert "Secure" not in sender_cookie_header(plain)

    direct = await make_client(fake_rasa)
    response = await post(direct, Host="127.0.0.1:8080", **{"X-Forwarded-Proto": "https"})
    assert "Secure" not in sender_cookie_header(response)


async def test_start_over_cookie_follows_the_same_rule(
    make_client: MakeClient, fake_rasa: str
) -> None:
    client = await make_client(fake_rasa, web_trusted_proxy_hops=1)
    renewed = await client.post("/chat/api/new", json={}, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in sender_cookie_header(renewed)


async def test_standalone_chat_sends_hsts_when_not_on_loopback(
    make_client: MakeClient, fake_rasa: str
) -> None:
    """Like the console: a chat served on the network tells browsers to keep to HTTPS."""
    public = await make_client(fake_rasa, console_host="0.0.0.0")
    page = await public.get("/chat")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in sender_cookie_header(await post(public))
    local = await make_client(fake_rasa)
    assert "Strict-Transport-Security" not in (await local.get("/chat")).headers
    forced = await make_client(fake_rasa, cookie_secure=True)
    assert "Strict-Transport-Security" in (await forced.get("/chat/crisis")).headers


async def test_forwarded_for_without_trusted_hops_is_warned_about_once(
    client: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a proxy not configured as trusted, every resident would share one address and
    one limit: the operator is told, once per process, without any address in the line."""
    monkeypatch.setattr(forwarded, "_warned_untrusted_forwarded", False)
    with caplog.at_level(logging.WARNING, logger="bot.httputil"):
        for n in range(3):
            await post(client, **{"X-Forwarded-For": f"198.51.100.{n}"})
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "TRUSTED_PROXY_HOPS" in warnings[0]
    assert "198.51.100" not in caplog.text
