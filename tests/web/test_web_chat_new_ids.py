"""A client address obtains only so many new conversations (sender ids) per hour.

Why: the per-conversation rate limit and the per-sender 要確認 mark on tickets both count by
sender id. Without this limit a script that drops its cookie (or posts ``/chat/api/new``)
before each message gets a fresh id every time and so escapes both. The per-address limits
count the whole IPv6 /64 (what one household or phone is given), so rotating addresses inside
it escapes nothing either.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from web_helpers import MakeClient

from bot.dialogue.flood_texts import SLOW_DOWN
from bot.httputil import address_key
from bot.web.sender_cookie import COOKIE_NAME

API = "/chat/api/message"


async def fresh_message(client: TestClient, text: str = "こんにちは", **headers: str) -> Any:
    """A message as a script would send it: without the cookie the server issued before."""
    client.session.cookie_jar.clear()
    return await client.post(API, json={"message": text}, headers=headers)


async def test_new_sender_ids_per_address_are_limited(
    make_client: MakeClient, fake_rasa: str, fake_rasa_received: list[dict[str, Any]]
) -> None:
    """Past the limit a cookieless message gets the polite slow-down answer and no new id."""
    client = await make_client(fake_rasa, rate_web_new_conversations=3)
    for _ in range(3):
        response = await fresh_message(client)
        assert response.status == 200 and COOKIE_NAME in response.cookies
    refused = await fresh_message(client)
    assert refused.status == 429
    assert COOKIE_NAME not in refused.cookies
    body = await refused.json()
    assert body["error"] == "slow_down" and SLOW_DOWN in body["message"]
    assert 3000 < int(refused.headers["Retry-After"]) <= 3600  # an hour's window
    assert len(fake_rasa_received) == 3


async def test_crisis_words_without_a_new_id_still_get_the_crisis_lines(
    make_client: MakeClient, fake_rasa: str
) -> None:
    client = await make_client(fake_rasa, rate_web_new_conversations=1)
    await fresh_message(client)
    response = await fresh_message(client, "もう死にたい")
    assert COOKIE_NAME not in response.cookies
    text = "\n".join(reply["text"] for reply in await response.json())
    assert "119" in text and "110" in text


async def test_start_over_counts_against_the_same_limit_and_the_page_does_not(
    make_client: MakeClient, fake_rasa: str
) -> None:
    """「最初から」 issues ids too: the same allowance covers it. Over it, 「最初から」 answers
    429 with the slow-down words and the old cookie stays; the page still loads (with its
    crisis link), and loading it never uses up the allowance."""
    client = await make_client(fake_rasa, rate_web_new_conversations=2)
    for _ in range(3):
        page = await client.get("/chat")
        assert page.status == 200 and COOKIE_NAME not in page.cookies
    for _ in range(2):
        renewed = await client.post("/chat/api/new", json={})
        assert renewed.status == 200 and COOKIE_NAME in renewed.cookies

    again = await client.post("/chat/api/new", json={})
    assert again.status == 429 and COOKIE_NAME not in again.cookies
    assert SLOW_DOWN in (await again.json())["message"]
    assert (await client.post(API, json={"message": "続き"})).status == 200  # old cookie works
    page = await client.get("/chat")
    assert page.status == 200 and "/chat/crisis" in await page.text()


async def test_a_returning_conversation_is_not_counted(
    make_client: MakeClient, fake_rasa: str
) -> None:
    """Only new ids count: a resident writing on in one conversation is never refused by it."""
    client = await make_client(fake_rasa, rate_web_new_conversations=1)
    statuses = [(await client.post(API, json={"message": f"{n}"})).status for n in range(5)]
    assert statuses == [200] * 5


async def test_rotating_addresses_inside_one_ipv6_64_shares_the_limits(
    make_client: MakeClient, fake_rasa: str
) -> None:
    """Behind our proxy: new addresses in the same /64 are one client; another /64 is not."""
    client = await make_client(
        fake_rasa, web_trusted_proxy_hops=1, rate_web_new_conversations=2, rate_web_ip=1000
    )
    same_64 = [f"2001:db8:1:2::{n:x}" for n in range(1, 4)]
    statuses = [
        (await fresh_message(client, **{"X-Forwarded-For": address})).status for address in same_64
    ]
    assert statuses == [200, 200, 429]
    other = await fresh_message(client, **{"X-Forwarded-For": "2001:db8:1:3::1"})
    assert other.status == 200


async def test_per_address_message_limit_counts_the_ipv6_64(
    make_client: MakeClient, fake_rasa: str
) -> None:
    client = await make_client(fake_rasa, web_trusted_proxy_hops=1, rate_web_ip=2)
    statuses = [
        (await fresh_message(client, **{"X-Forwarded-For": f"2001:db8:5:6:{n}::9"})).status
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_address_key_is_the_64_for_ipv6_and_the_address_for_ipv4() -> None:
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff:1:2:3")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("203.0.113.7") != address_key("203.0.113.8")
    # IPv4 on a dual-stack socket arrives as ::ffff:a.b.c.d: still that one IPv4 address.
    assert address_key("::ffff:203.0.113.7") == address_key("203.0.113.7")
    assert address_key("::ffff:203.0.113.7") != address_key("::ffff:203.0.113.8")
    # No raw address in a key (Redis may be inspected): a pseudonym of fixed length.
    assert "203.0.113" not in address_key("203.0.113.7")
    assert address_key("not an address") == address_key("not an address")
