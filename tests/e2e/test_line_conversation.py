"""A whole LINE conversation, from adding the account to a ticket, against a fake LINE API.

The real Rasa server (with the LINE channel from credentials.yml) and action server run as
processes, as `make run` starts them; LINE's API is a recording server on loopback, and webhook
bodies are signed with the channel secret exactly as LINE signs them. Runs on SQLite and on
PostgreSQL (tickets and Rasa's tracker store; ``e2e_database_url`` in conftest.py).
"""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.tickets import Role, TicketStore
from tests.channels.line_testkit import SECRET, FakeLineApi, LineWebhookClient, make_event
from tests.e2e.servers import running_bot

pytestmark = pytest.mark.slow


async def _exchange(fake: FakeLineApi, client: LineWebhookClient, event: dict) -> str:
    """Send one event and wait for the bot's answer to reach the fake LINE API."""
    before = len(fake.accepted)
    status, _ = await client.post_events(event)
    assert status == 200
    for _ in range(120):
        await asyncio.sleep(0.25)
        if len(fake.accepted) > before:
            await asyncio.sleep(0.5)  # a push may follow the reply
            break
    else:
        raise AssertionError("no answer reached LINE")
    return "\n".join(m.get("text", "") for call in fake.accepted[before:] for m in call.messages)


async def test_follow_to_ticket_over_line(tmp_path, e2e_database_url):
    fake = FakeLineApi()
    await fake.start()
    url = e2e_database_url
    env = {
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": "test-access-token",
        "LINE_API_BASE": fake.base_url,
    }
    try:
        with running_bot(tmp_path, url, env) as bot:
            client = LineWebhookClient(bot.rasa_url)
            counter = iter(range(1, 1000))

            def event(**kwargs):
                return make_event(reply_token=f"token-{next(counter)}", **kwargs)

            greeting = await _exchange(fake, client, event(event_type="follow"))
            assert "困っていること" in greeting
            routed = await _exchange(
                fake, client, event(text="久留米市に住んでいます。借金の督促が毎日来て困っています")
            )
            assert "生活自立支援センター" in routed
            offer_call = fake.accepted[-1]
            quick = offer_call.messages[-1]["quickReply"]["items"]
            assert all(len(item["action"]["label"]) <= 20 for item in quick)
            assert "答えたくない" in await _exchange(
                fake, client, event(event_type="postback", postback={"data": "/affirm"})
            )
            for answer in ["家族", "65歳以上", "家族と暮らしている", "今日中", "LINE"]:
                reply = await _exchange(fake, client, event(text=answer))
            # LINE itself is the way back: no contact detail is asked.
            assert "お名前" in reply
            assert "伝えてもよいですか" in await _exchange(fake, client, event(text="はなこ"))
            await _exchange(
                fake, client, event(event_type="postback", postback={"data": "/affirm"})
            )
            summary = await _exchange(
                fake, client, event(event_type="postback", postback={"data": "/affirm"})
            )
            assert "この内容で送ってよいですか" in summary
            received = await _exchange(
                fake, client, event(event_type="postback", postback={"data": "/affirm"})
            )
        assert all(call.authorization == "Bearer test-access-token" for call in fake.calls)
        assert all(len(call.messages) <= 5 for call in fake.calls)
    finally:
        await fake.close()

    reference = re.search(r"KURUME-\d{4}-\d{6}", received)
    assert reference, received
    store = TicketStore(url)
    coordinator = store.create_user("kurume-c", "a-long-password-123", Role.COORDINATOR, "kurume")
    ticket = store.get(reference.group(0), coordinator)
    assert ticket is not None
    assert ticket.channel.value == "line"
    assert ticket.priority.value == "urgent"  # 今日中
    assert (
        ticket.summary.contact_method is not None and ticket.summary.contact_method.value == "LINE"
    )
    store.dispose()
