"""Nobody in where they don't belong: the chat's sender id, buttons and flood limits.

When the page chose its own sender id, any client could post as a LINE user's id (``U`` + 32
hex) and read or submit that resident's intake, and could post any ``/payload``.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from aiohttp.test_utils import TestClient
from web_helpers import MakeClient

from bot.dialogue.flood_texts import SLOW_DOWN
from bot.httputil import address_key, is_loopback_host
from bot.web.sender_cookie import COOKIE_NAME, SenderSigner
from tests.services import TEST_REDIS_URL, require_redis

LINE_USER = "U0123456789abcdef0123456789abcdef"
API = "/chat/api/message"
WEB_ID = re.compile(r"web-[0-9a-f]{32}")


def set_cookie_header(response: Any) -> str:
    headers = [h for h in response.headers.getall("Set-Cookie", []) if COOKIE_NAME in h]
    assert len(headers) == 1, response.headers
    return str(headers[0])


async def say(client: TestClient, message: str, **extra: Any) -> Any:
    return await client.post(API, json={"message": message, **extra})


async def test_server_issues_a_signed_httponly_sender_cookie(
    client: TestClient, fake_rasa_received: list[dict[str, Any]]
) -> None:
    """The first message gets a ``web-`` id in an HttpOnly, SameSite=Lax cookie; later ones
    from the same browser continue that conversation."""
    first = await say(client, "こんにちは")
    assert first.status == 200
    header = set_cookie_header(first)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/chat" in header
    value = first.cookies[COOKIE_NAME].value
    sender, signature = value.split(".")
    assert WEB_ID.fullmatch(sender) and len(signature) == 64

    second = await say(client, "家賃が払えません")
    assert COOKIE_NAME not in second.cookies  # nothing new to issue
    assert [r["sender"] for r in fake_rasa_received] == [sender, sender]


async def test_the_page_script_gets_the_id_before_the_first_message(
    client: TestClient, fake_rasa_received: list[dict[str, Any]]
) -> None:
    """Loading the page issues nothing (crawlers use up no allowance); the script's start
    (「最初から」) gets the id its first message then uses."""
    page = await client.get("/chat?city=ube")
    assert page.status == 200 and COOKIE_NAME not in page.cookies
    started = await client.post("/chat/api/new", json={})
    sender = started.cookies[COOKIE_NAME].value.split(".")[0]
    await say(client, "こんにちは")
    assert fake_rasa_received[0]["sender"] == sender


async def test_a_body_naming_a_line_user_cannot_reach_that_conversation(
    client: TestClient, fake_rasa_received: list[dict[str, Any]]
) -> None:
    """Posting as ``U…`` (in the body, as a bare cookie, or with a made-up signature) never
    reaches the LINE resident's conversation: each gets a fresh ``web-`` id instead."""
    await client.post(API, json={"sender": LINE_USER, "message": "申し込みを見せて"})
    for forged in (LINE_USER, f"{LINE_USER}.{'0' * 64}", f"web-{'a' * 32}.{'0' * 64}"):
        client.session.cookie_jar.clear()
        response = await client.post(
            API, json={"message": "はい"}, headers={"Cookie": f"{COOKIE_NAME}={forged}"}
        )
        assert response.status == 200
        assert COOKIE_NAME in response.cookies  # replaced by a fresh, signed id
    senders = [r["sender"] for r in fake_rasa_received]
    assert all(WEB_ID.fullmatch(s) for s in senders), senders
    assert LINE_USER not in senders and f"web-{'a' * 32}" not in senders
    assert len(set(senders)) == 4


def test_a_signed_line_id_is_still_refused() -> None:
    """Even a correctly signed ``U…`` value is not a web sender (the id spaces stay apart)."""
    signer = SenderSigner("secret")
    assert signer.verify(signer.sign("web-" + "0" * 32)) == "web-" + "0" * 32
    assert signer.verify(signer.sign(LINE_USER)) is None
    assert SenderSigner("other").verify(signer.sign("web-" + "0" * 32)) is None


async def test_configured_secret_keeps_conversations_across_restarts(
    make_client: MakeClient, fake_rasa: str, fake_rasa_received: list[dict[str, Any]]
) -> None:
    """With WEB_SESSION_SECRET a restarted server (a new app) honours the cookie it issued."""
    before = await make_client(fake_rasa, web_session_secret="x" * 32)
    value = (await say(before, "こんにちは")).cookies[COOKIE_NAME].value
    after = await make_client(fake_rasa, web_session_secret="x" * 32)
    response = await after.post(
        API, json={"message": "続き"}, headers={"Cookie": f"{COOKIE_NAME}={value}"}
    )
    assert COOKIE_NAME not in response.cookies
    assert fake_rasa_received[0]["sender"] == fake_rasa_received[1]["sender"]


async def test_cookie_is_secure_outside_loopback(client: TestClient) -> None:
    local = await say(client, "こんにちは")
    assert "Secure" not in set_cookie_header(local)
    client.session.cookie_jar.clear()
    public = await client.post(
        API, json={"message": "こんにちは"}, headers={"Host": "chat.example.jp"}
    )
    assert "Secure" in set_cookie_header(public)
    assert is_loopback_host("[::1]:8080") and is_loopback_host("localhost:8080")
    assert not is_loopback_host("192.168.1.10:8080")


async def test_new_conversation_gets_a_new_sender(
    client: TestClient, fake_rasa_received: list[dict[str, Any]]
) -> None:
    """「最初から」 asks the server for a fresh id; the page never makes one."""
    await say(client, "こんにちは")
    assert (await client.post("/chat/api/new", data="x")).status == 415  # no cross-site forms
    renewed = await client.post("/chat/api/new", json={})
    assert renewed.status == 200 and COOKIE_NAME in renewed.cookies
    await say(client, "こんにちは")
    first, second = (r["sender"] for r in fake_rasa_received)
    assert first != second and WEB_ID.fullmatch(second)


async def test_payload_not_offered_is_treated_as_words(
    client: TestClient, fake_rasa_received: list[dict[str, Any]]
) -> None:
    """Only the buttons the bot offered this conversation in its last reply pass as payloads."""
    await say(client, "/deny", payload=True)  # nothing offered yet
    await say(client, "/affirm", payload=True)  # the reply offered only /deny
    await say(client, "/deny", payload=True)  # offered: passes
    await say(client, "/greet", payload=True)  # the page's own start
    await say(client, '/inform_city{"city": "ube"}', payload=True)
    await say(client, '/inform_city{"city": "tokyo"}', payload=True)
    assert [r["message"] for r in fake_rasa_received] == [
        "／deny",
        "／affirm",
        "/deny",
        "/greet",
        '/inform_city{"city": "ube"}',
        '／inform_city{"city": "tokyo"}',
    ]


async def test_buttons_offered_to_another_conversation_do_not_count(
    client: TestClient, make_client: MakeClient, fake_rasa: str, fake_rasa_received: list[Any]
) -> None:
    await say(client, "こんにちは")  # this conversation was offered /deny
    other = await make_client(fake_rasa)
    await say(other, "/deny", payload=True)
    assert fake_rasa_received[-1]["message"] == "／deny"


async def test_rasa_auth_token_is_sent_when_configured(
    make_client: MakeClient, fake_rasa: str, fake_rasa_queries: list[dict[str, str]]
) -> None:
    with_token = await make_client(fake_rasa, rasa_auth_token="s3cret-token")
    await say(with_token, "こんにちは")
    without = await make_client(fake_rasa)
    await say(without, "こんにちは")
    assert fake_rasa_queries == [{"token": "s3cret-token"}, {}]


async def test_flood_gets_a_polite_429_and_is_not_forwarded(
    make_client: MakeClient, fake_rasa: str, fake_rasa_received: list[dict[str, Any]]
) -> None:
    client = await make_client(fake_rasa, rate_web_sender=3)
    statuses = [(await say(client, f"メッセージ{n}")).status for n in range(3)]
    assert statuses == [200, 200, 200]
    slow = await say(client, "まだあります")
    assert slow.status == 429
    body = await slow.json()
    assert body["error"] == "slow_down" and SLOW_DOWN in body["message"]
    assert "電話" in body["message"]
    assert 0 < int(slow.headers["Retry-After"]) <= 60
    assert len(fake_rasa_received) == 3


async def test_crisis_words_over_the_limit_get_the_crisis_lines(
    make_client: MakeClient, fake_rasa: str, fake_rasa_received: list[dict[str, Any]]
) -> None:
    """Over the limit, 「死にたい」 is answered with 119/110 and a line, never dropped."""
    client = await make_client(fake_rasa, rate_web_sender=2)
    for _ in range(3):
        await say(client, "あ")
    response = await say(client, "もう死にたい")
    assert response.status == 200
    text = "\n".join(reply["text"] for reply in await response.json())
    assert "119" in text and "110" in text
    assert len(fake_rasa_received) == 2


async def test_per_address_limit_catches_a_new_cookie_per_message(
    make_client: MakeClient, fake_rasa: str
) -> None:
    client = await make_client(fake_rasa, rate_web_ip=3)
    statuses = []
    for _ in range(4):
        client.session.cookie_jar.clear()
        statuses.append((await say(client, "こんにちは")).status)
    assert statuses == [200, 200, 200, 429]


async def test_forwarded_for_is_trusted_only_when_configured(
    make_client: MakeClient, fake_rasa: str
) -> None:
    """A client cannot dodge the address limit by inventing X-Forwarded-For, unless our own
    proxy (``WEB_TRUSTED_PROXY_HOPS``) wrote it."""

    async def statuses(client: TestClient) -> list[int]:
        found = []
        for n in range(3):
            client.session.cookie_jar.clear()
            response = await client.post(
                API,
                json={"message": "こんにちは"},
                headers={"X-Forwarded-For": f"203.0.113.9, 198.51.100.{n}"},
            )
            found.append(response.status)
        return found

    assert await statuses(await make_client(fake_rasa, rate_web_ip=2)) == [200, 200, 429]
    trusted = await make_client(fake_rasa, rate_web_ip=2, web_trusted_proxy_hops=1)
    assert await statuses(trusted) == [200, 200, 200]


async def test_page_script_never_makes_a_sender_id(client: TestClient) -> None:
    """The page relies on the server's cookie: no id generation, no sender in the body."""
    js = await (await client.get("/chat/static/chat.js")).text()
    assert "randomUUID" not in js and "getRandomValues" not in js
    code = js.split("*/", 1)[1]  # past the header comment
    assert "sender" not in code
    assert code.count('credentials: "same-origin"') == 2  # messages and 「最初から」
    html = await (await client.get("/chat")).text()
    assert 'data-new-api="/chat/api/new"' in html


async def test_limits_and_offers_work_with_redis_configured(
    make_client: MakeClient, fake_rasa: str, fake_rasa_received: list[dict[str, Any]]
) -> None:
    """With REDIS_URL (several instances) the same rules hold, counted in the real Redis.

    The client address is a random /64 (through a trusted proxy), so the counters this run
    creates are its own, and they are deleted afterwards.
    """
    import redis.asyncio as redis_asyncio

    require_redis()
    address = f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::1"
    client = await make_client(
        fake_rasa, redis_url=TEST_REDIS_URL, rate_web_sender=2, web_trusted_proxy_hops=1
    )
    headers = {"X-Forwarded-For": address}
    redis = redis_asyncio.from_url(TEST_REDIS_URL)
    try:
        first = await client.post(API, json={"message": "こんにちは"}, headers=headers)
        assert first.status == 200
        offered = {"message": "/deny", "payload": True}  # offered by the reply
        assert (await client.post(API, json=offered, headers=headers)).status == 200
        more = await client.post(API, json={"message": "まだ"}, headers=headers)
        assert more.status == 429
        assert [r["message"] for r in fake_rasa_received] == ["こんにちは", "/deny"]
    finally:
        sender = fake_rasa_received[0]["sender"] if fake_rasa_received else "none"
        counted = address_key(address)
        await redis.delete(
            f"intake:rate:web:sender:{sender}",
            f"intake:rate:web:ip:{counted}",
            f"intake:rate:web:new:{counted}",
            f"intake:web:offers:{sender}",
        )
        await redis.close()
