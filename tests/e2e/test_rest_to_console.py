"""From the first message over the REST channel to a ticket a coordinator reads in the API.

The real Rasa server and action server run as processes; the console app runs in-process on
the same database, as `make run` would have it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import aiohttp
import pytest

from bot.console.app import create_app
from bot.settings import load_settings
from bot.tickets import Role, TicketStore, upgrade_database
from tests.e2e.servers import RunningBot, running_bot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    work_dir = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{work_dir / 'tickets.sqlite3'}"
    upgrade_database(url)
    with running_bot(work_dir, url) as running:
        yield running


async def say(session: aiohttp.ClientSession, bot: RunningBot, text: str) -> str:
    async with session.post(
        f"{bot.rasa_url}/webhooks/rest/webhook", json={"sender": "e2e-resident", "message": text}
    ) as response:
        assert response.status == 200
        replies = await response.json()
    return "\n".join(reply.get("text", "") for reply in replies)


async def test_a_resident_reaches_a_ticket_in_the_console_api(bot, aiohttp_client):
    store = TicketStore(bot.database_url)
    store.create_user("ube-coordinator", "a-long-password-123", Role.COORDINATOR, "ube")
    token = store.create_api_token("ube-coordinator").token

    async with aiohttp.ClientSession() as session:
        routed = await say(
            session, bot, "宇部市に住んでいます。家賃が払えず、住む所がなくなりそうです"
        )
        assert "生活相談サポートセンターうべ" in routed
        assert "連絡を希望しますか" in routed
        assert "答えたくない" in await say(session, bot, "/affirm")
        for answer in ["本人", "40〜64歳", "ひとり暮らし", "今週中", "電話"]:
            await say(session, bot, answer)
        assert "もう一度" in await say(session, bot, "12345")  # not a phone number
        await say(session, bot, "０９０ー１２３４ー５６７８")
        consent = await say(session, bot, "たろう")
        assert "伝えてもよいですか" in consent
        assert "重層的支援会議" in await say(session, bot, "/affirm")
        summary = await say(session, bot, "/deny")
        assert "090-1234-5678" in summary and "この内容で送ってよいですか" in summary
        received = await say(session, bot, "/affirm")

    match = re.search(r"UBE-\d{4}-\d{6}", received)
    assert match, received
    console = await aiohttp_client(create_app(load_settings(), store))
    response = await console.get(
        f"/api/tickets/{match.group(0)}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200
    body = await response.json()
    ticket = body.get("ticket", body)
    assert ticket["city"] == "ube"
    assert "housing" in ticket["categories"]
    assert ticket["summary"]["contact_value"] == "090-1234-5678"
    assert ticket["status"] == "new"
    store.dispose()


@pytest.mark.parametrize(
    "text",
    ["", "😢😢😢", "<script>alert(1)</script>", "ｱｱｱ", "あ" * 5000, '{"message": 1}'],
    ids=["empty", "emoji", "html", "half-width", "huge", "json-looking"],
)
async def test_bad_input_gets_a_polite_reply_and_the_conversation_goes_on(bot, text):
    """Nothing a resident types breaks the conversation or goes unanswered."""
    async with aiohttp.ClientSession() as session:
        sender = f"bad-input-{abs(hash(text))}"
        async with session.post(
            f"{bot.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        ) as response:
            assert response.status == 200
            replies = await response.json()
        assert replies, "the bot must answer"
        assert all("<script>" not in r.get("text", "") for r in replies)
        async with session.post(
            f"{bot.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": "借金が返せなくて困っています"},
        ) as response:
            follow_up = "\n".join(r.get("text", "") for r in await response.json())
        assert "借金" in follow_up
