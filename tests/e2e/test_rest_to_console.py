"""From a resident's first message to a ticket a coordinator reads, on SQLite and PostgreSQL.

The real Rasa server and action server run as processes, locked down as `make run` starts them
(Rasa's HTTP API needs the token; both listen on loopback only); the console app with the
residents' web chat runs in-process on the same database, as `make run` would have it. One
Rasa server per backend serves every test of this module (it takes ~50 s to start).

Paths: the REST channel directly, and the web chat through the console's proxy at
``/chat/api/message`` (server-issued sender id in a cookie, never a sender from the client).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
import sqlalchemy as sa

from bot.console.app import create_app
from bot.dialogue.sessions import SESSION_MESSAGE_LIMIT
from bot.settings import load_settings
from bot.tickets import Role, TicketStore, User
from bot.web import setup as web_chat
from tests.e2e.servers import (
    RunningBot,
    accepts_connections,
    listening_addresses,
    running_bot,
    say_rest,
)

pytestmark = pytest.mark.slow

PHONE = "090-1234-5678"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, e2e_database_url: str) -> Iterator[RunningBot]:
    work_dir = tmp_path_factory.mktemp("e2e")
    with running_bot(work_dir, e2e_database_url) as running:
        yield running


@pytest.fixture
def store(bot: RunningBot) -> Iterator[TicketStore]:
    ticket_store = TicketStore(bot.database_url)
    yield ticket_store
    ticket_store.dispose()


def coordinator(store: TicketStore, city: str) -> User:
    return store.create_user(
        f"{city}-c-{uuid.uuid4().hex[:6]}", "a-long-password-123", Role.COORDINATOR, city
    )


async def say(session: aiohttp.ClientSession, bot: RunningBot, text: str) -> str:
    return await say_rest(session, bot.rasa_url, "e2e-resident", text)


async def test_a_resident_reaches_a_ticket_in_the_console_api(bot, store, aiohttp_client):
    user = coordinator(store, "ube")
    token = store.create_api_token(user.username).token

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
        assert PHONE in summary and "この内容で送ってよいですか" in summary
        received = await say(session, bot, "/affirm")

    match = re.search(r"UBE-\d{4}-\d{6}", received)
    assert match, received
    # The receipt is the last word: no 「うまく受け取れませんでした」 after it (with only the
    # RulePolicy, a rule that left `awaiting` set had no next step after the action).
    assert NOT_UNDERSTOOD not in received
    settings = dataclasses.replace(load_settings(), database_url=bot.database_url)
    console = await aiohttp_client(create_app(settings, store))
    response = await console.get(
        f"/api/tickets/{match.group(0)}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200
    body = await response.json()
    ticket = body.get("ticket", body)
    assert ticket["city"] == "ube"
    assert "housing" in ticket["categories"]
    assert ticket["summary"]["contact_value"] == PHONE
    assert ticket["summary"]["urgency"] == "今週中"  # was read as 今日中 (今 in 今週)
    assert ticket["status"] == "new"


@pytest.mark.parametrize(
    ("answer", "reply"),
    [("はい、相談したいです", "答えたくない"), ("今はいいです", "あとで相談したくなったら")],
)
async def test_the_offer_is_answered_in_the_residents_own_words(bot, answer, reply) -> None:
    """A yes or a no typed in the resident's own words, not the button's, is taken as the
    answer: the yes starts the intake's questions, the no points to the windows' contacts
    (before, both got 「うまく読み取れませんでした」 and the offer was gone)."""
    sender = f"e2e-own-words-{uuid.uuid4().hex[:8]}"
    async with aiohttp.ClientSession() as session:
        offered = await say_rest(session, bot.rasa_url, sender, UBE_HOUSING)
        assert "連絡を希望しますか" in offered
        answered = await say_rest(session, bot.rasa_url, sender, answer)
    assert reply in answered
    assert "読み取れません" not in answered


async def test_a_resident_who_declined_and_changes_their_mind_is_offered_it_again(bot) -> None:
    """「今はいいです」, then 「やっぱり電話ください」: the offer is made again and a tap on yes
    starts the intake (before, the bot answered 「わかりました。ほかに…」 and the wish was lost)."""
    sender = f"e2e-changed-mind-{uuid.uuid4().hex[:8]}"
    async with aiohttp.ClientSession() as session:
        await say_rest(session, bot.rasa_url, sender, UBE_HOUSING)
        declined = await say_rest(session, bot.rasa_url, sender, "今はいいです")
        assert "あとで相談したくなったら" in declined
        again = await say_rest(session, bot.rasa_url, sender, "やっぱり電話ください")
        assert "連絡を希望しますか" in again
        assert "ほかに困っていること" not in again
        started = await say_rest(session, bot.rasa_url, sender, "はい")
    assert "答えたくない" in started


UBE_HOUSING = "宇部市に住んでいます。家賃が払えず、住む所がなくなりそうです"

#: The fallback's words (domain.yml utter_default): the bot did not know what to do next.
NOT_UNDERSTOOD = "うまく受け取れませんでした"


@pytest.mark.parametrize("ending", ["送らない", "/deny", "やめます"])
async def test_cancelling_at_the_summary_is_the_last_word(bot, ending) -> None:
    """「送らない」 at the summary (typed, the button, or 「やめます」) says nothing was sent, and
    nothing after it: the fallback 「うまく受け取れませんでした」 followed every cancel."""
    sender = f"e2e-cancel-{uuid.uuid4().hex[:8]}"
    async with aiohttp.ClientSession() as session:
        await say_rest(session, bot.rasa_url, sender, UBE_HOUSING)
        await say_rest(session, bot.rasa_url, sender, "/affirm")
        for answer in ["本人", "40〜64歳", "ひとり暮らし", "急がない", "電話", PHONE, "たろう"]:
            await say_rest(session, bot.rasa_url, sender, answer)
        await say_rest(session, bot.rasa_url, sender, "/affirm")
        summary = await say_rest(session, bot.rasa_url, sender, "/deny")
        assert "この内容で送ってよいですか" in summary
        cancelled = await say_rest(session, bot.rasa_url, sender, ending)
    assert "送っていません" in cancelled
    assert NOT_UNDERSTOOD not in cancelled


QUESTIONS = [
    "窓口はどこにありますか",
    "電話番号を教えてください",
    "土曜日もやっていますか",
    "予約はいりますか",
    "ありがとうございます",
]


def session_starts(bot: RunningBot, sender: str) -> int:
    """How many sessions the stored conversation has (Rasa's tracker store, either backend)."""
    url = (
        bot.database_url
        if bot.database_url.startswith("postgresql")
        else f"sqlite:///{bot.var_dir / 'trackers.sqlite3'}"
    )
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    sa.text(
                        "SELECT count(*) FROM events"
                        " WHERE sender_id = :sender AND type_name = 'session_started'"
                    ),
                    {"sender": sender},
                ).scalar_one()
            )
    finally:
        engine.dispose()


async def test_a_long_conversation_reaches_a_ticket_with_all_it_said(bot, store) -> None:
    """A resident who asks many questions before asking for a person: the conversation moves
    to new sessions on the way (each turn then reads a short one back), the bot still knows
    the city and the worry, and the ticket shows staff the first message too."""
    sender = f"long-{uuid.uuid4().hex[:8]}"
    first = "宇部市に住んでいます。家賃が払えず、住む所がなくなりそうです"

    async def say_as(session: aiohttp.ClientSession, text: str) -> str:
        return await say_rest(session, bot.rasa_url, sender, text)

    async with aiohttp.ClientSession() as session:
        assert "生活相談サポートセンターうべ" in await say_as(session, first)
        for n in range(SESSION_MESSAGE_LIMIT * 2):
            assert await say_as(session, QUESTIONS[n % len(QUESTIONS)]), "the bot must answer"
        assert session_starts(bot, sender) >= 3
        assert "連絡を希望しますか" in await say_as(session, "人と話したい")
        assert "答えたくない" in await say_as(session, "/affirm")
        for answer in ["本人", "40〜64歳", "ひとり暮らし", "今週中", "電話"]:
            await say_as(session, answer)
        await say_as(session, PHONE)
        assert "伝えてもよいですか" in await say_as(session, "たろう")
        await say_as(session, "/affirm")
        assert PHONE in await say_as(session, "/deny")
        received = await say_as(session, "/affirm")

    match = re.search(r"UBE-\d{4}-\d{6}", received)
    assert match, received
    ticket = store.get(match.group(0), coordinator(store, "ube"))
    assert ticket is not None
    assert "housing" in ticket.categories
    texts = [message.text for message in ticket.messages]
    assert texts[0] == first and "たろう" in texts
    assert first in ticket.summary.worry_text_summary


class WebResident:
    """A resident on the website chat: one browser (cookie jar), buttons pressed as offered."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.buttons: list[dict[str, str]] = []

    async def _post(self, body: dict[str, Any]) -> str:
        response = await self.client.post("/chat/api/message", json=body)
        assert response.status == 200, await response.text()
        replies = await response.json()
        self.buttons = [button for reply in replies for button in reply.get("buttons") or []]
        return "\n".join(reply.get("text", "") for reply in replies)

    async def type(self, text: str) -> str:
        """Typed words; the page never sends a sender id: the server's cookie names us."""
        return await self._post({"message": text})

    async def press(self, title: str) -> str:
        """Press a button the bot offered (its payload is what the page sends)."""
        offered = {button["title"]: button["payload"] for button in self.buttons}
        assert title in offered, f"{title!r} not among the offered buttons {list(offered)}"
        return await self._post({"message": offered[title], "payload": True})

    async def answer(self, text: str) -> str:
        """Press the button titled ``text`` when there is one, else type it."""
        if any(button["title"] == text for button in self.buttons):
            return await self.press(text)
        return await self.type(text)


async def test_a_web_chat_resident_reaches_a_ticket_through_the_console_proxy(
    bot, store, aiohttp_client
):
    settings = dataclasses.replace(
        load_settings(),
        database_url=bot.database_url,
        rasa_url=bot.rasa_url,
        rasa_auth_token=bot.auth_token,
    )
    console = await aiohttp_client(create_app(settings, store, plugins=[web_chat]))
    assert (await console.get("/chat?city=kurume")).status == 200
    resident = WebResident(console)

    routed = await resident.type("久留米市に住んでいます。借金の督促が毎日来て困っています")
    assert "生活自立支援センター" in routed
    assert "答えたくない" in await resident.press("はい、連絡がほしい")
    for answer in ["本人", "40〜64歳", "ひとり暮らし", "今週中", "電話"]:
        await resident.answer(answer)
    await resident.type(PHONE)
    assert "伝えてもよいですか" in await resident.type("じろう")
    await resident.press("同意する")
    summary = await resident.press("共有してよい")  # the support meeting
    assert PHONE in summary and "この内容で送ってよいですか" in summary
    received = await resident.press("この内容で送る")

    match = re.search(r"KURUME-\d{4}-\d{6}", received)
    assert match, received
    ticket = store.get(match.group(0), coordinator(store, "kurume"))
    assert ticket is not None
    assert ticket.channel.value == "web"
    assert ticket.summary.contact_value == PHONE
    # The conversation id is the server's, not anything the page could have chosen.
    assert ticket.conversation_id.startswith("web-")


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


async def test_nobody_reads_a_residents_conversation_without_the_rasa_token(bot):
    """Rasa's HTTP API holds residents' messages and phone numbers: the token is required."""
    sender = f"private-{uuid.uuid4().hex[:8]}"
    tracker = f"{bot.rasa_url}/conversations/{sender}/tracker"
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{bot.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": f"電話は {PHONE} です。家賃が払えません"},
        ) as response:
            assert response.status == 200
        async with session.get(tracker) as response:
            assert response.status == 401
            assert PHONE not in await response.text()
        async with session.get(tracker, params={"token": "not-the-token"}) as response:
            assert response.status == 401
        async with session.get(tracker, params={"token": bot.auth_token}) as response:
            assert response.status == 200
            body = await response.json()
    texts = [event.get("text") for event in body["events"] if event.get("event") == "user"]
    assert any(PHONE in (text or "") for text in texts)


def test_action_server_and_rasa_api_are_reachable_on_loopback_only(bot):
    """Someone on the network cannot call actions (which write tickets) or Rasa's API directly:
    both servers' listening sockets are bound to 127.0.0.1, not to every interface (0.0.0.0,
    ::) — read from the kernel, so the check holds on a host with no other address too."""
    for url in (bot.action_url, bot.rasa_url):
        port = urlsplit(url).port
        assert port is not None
        assert accepts_connections("127.0.0.1", port), url
        assert listening_addresses(port) == {"127.0.0.1"}, url
