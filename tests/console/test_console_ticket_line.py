"""Staff write to a resident on LINE from the ticket page, through the bot's LINE account.

A resident who consulted on LINE and chose 「LINE」 as the contact method can only be reached
there; these tests drive the console against the fake LINE API (401/409/429/5xx like LINE).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timezone
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from console_helpers import KURUME, SEIKATSU, page_token
from sqlalchemy.exc import OperationalError

from bot.settings import Settings
from bot.tickets import (
    AboutWhom,
    Channel,
    Consent,
    ContactMethod,
    EventKind,
    IntakeSummary,
    ResidentMessage,
    Role,
    Status,
    Submission,
    Ticket,
    TicketStore,
)
from tests.channels.line_testkit import TOKEN, USER_ID, FakeLineApi
from tests.channels.line_testkit import fake_line as fake_line  # the fixture

STAFF_TEXT = "生活相談サポートセンターうべの田中です。明日の午前に、このLINEでご連絡します。"
RETRY_KEY_RE = re.compile(r'name="retry_key" value="([^"]+)"')


@pytest.fixture
def settings(settings: Settings, fake_line: FakeLineApi) -> Settings:
    """The console's usual test settings, with the LINE token and the fake API's address."""
    return dataclasses.replace(
        settings, line_channel_access_token=TOKEN, line_api_base=fake_line.base_url
    )


def _line_ticket(
    store: TicketStore,
    *,
    key: str = "line-1",
    channel: Channel = Channel.LINE,
    method: ContactMethod = ContactMethod.LINE,
    conversation_id: str = USER_ID,
) -> Ticket:
    at = datetime(2026, 3, 9, 23, 50, tzinfo=timezone.utc)
    return store.create_ticket(
        Submission(
            idempotency_key=f"intake:{key}",
            city="ube",
            categories=("housing",),
            window_ids=(SEIKATSU,),
            channel=channel,
            conversation_id=conversation_id,
            summary=IntakeSummary(
                worry_text_summary="家賃が払えず困っている",
                about_whom=AboutWhom.SELF,
                contact_method=method,
                contact_value=None if method is ContactMethod.LINE else "090-1234-5678",
            ),
            consent=Consent(("summary", "contact", "messages"), (SEIKATSU,), at),
            messages=(ResidentMessage("家賃を3か月滞納しています", at),),
        )
    )


@pytest.fixture
async def worker(client: TestClient, login, make_user):
    user = make_user("ube-staff", Role.STAFF, window=SEIKATSU)
    await login("ube-staff")
    return user


async def _send(client: TestClient, ref: str, text: str, retry_key: str | None = None):
    page = await (await client.get(f"/tickets/{ref}")).text()
    token = await page_token(client, f"/tickets/{ref}")
    match = RETRY_KEY_RE.search(page)
    data = {"csrf_token": token, "text": text}
    if retry_key or match:
        data["retry_key"] = retry_key or (match.group(1) if match else "")
    response = await client.post(f"/tickets/{ref}/line", data=data, allow_redirects=False)
    flashed = ""
    if response.status == 303:
        flashed = await (await client.get(response.headers["Location"])).text()
    return response, flashed


async def test_staff_message_reaches_the_resident_and_is_logged(
    client: TestClient, worker, store: TicketStore, fake_line: FakeLineApi
) -> None:
    ticket = _line_ticket(store)
    page = await (await client.get(f"/tickets/{ticket.reference}")).text()
    assert f'action="/tickets/{ticket.reference}/line"' in page

    response, flashed = await _send(client, ticket.reference, STAFF_TEXT)

    assert response.status == 303
    assert "LINEで送りました" in flashed
    [call] = fake_line.calls
    assert call.kind == "push" and call.status == 200
    assert call.body == {"to": USER_ID, "messages": [{"type": "text", "text": STAFF_TEXT}]}
    event = store.events(ticket.reference)[-1]
    assert event.kind is EventKind.LINE_MESSAGE_SENT
    assert event.actor == "ube-staff"
    assert event.data["text"] == STAFF_TEXT
    log = flashed[flashed.index('id="log-h"') :]
    assert "LINEでご本人に送信" in log and STAFF_TEXT in log and "ube-staff" in log


async def test_the_line_user_id_is_never_shown_to_staff(
    client: TestClient, worker, store: TicketStore
) -> None:
    ticket = _line_ticket(store)
    await _send(client, ticket.reference, STAFF_TEXT)
    html = await (await client.get(f"/tickets/{ticket.reference}")).text()
    assert USER_ID not in html
    assert "この相談のLINEのトーク" in html  # what staff read instead of a contact value


async def test_a_form_sent_twice_reaches_the_resident_once(
    client: TestClient, worker, store: TicketStore, fake_line: FakeLineApi
) -> None:
    ticket = _line_ticket(store)
    page = await (await client.get(f"/tickets/{ticket.reference}")).text()
    match = RETRY_KEY_RE.search(page)
    assert match, "the form carries a retry key"
    await _send(client, ticket.reference, STAFF_TEXT, retry_key=match.group(1))
    _, flashed = await _send(client, ticket.reference, STAFF_TEXT, retry_key=match.group(1))

    assert "すでに送っています" in flashed
    assert fake_line.sent_texts() == [STAFF_TEXT]
    kinds = [e.kind for e in store.events(ticket.reference)]
    assert kinds.count(EventKind.LINE_MESSAGE_SENT) == 1


async def test_a_message_sent_but_not_logged_is_logged_when_the_form_is_sent_again(
    client: TestClient,
    worker,
    store: TicketStore,
    fake_line: FakeLineApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The push reached LINE, then writing the log failed (the database hiccuped): the staff
    member's resend of the same form gets LINE's 409, and the message must still be logged
    (once), or the ticket would never show what the resident was told."""
    ticket = _line_ticket(store)
    page = await (await client.get(f"/tickets/{ticket.reference}")).text()
    match = RETRY_KEY_RE.search(page)
    assert match
    record = store.record_line_message
    failures = [OperationalError("INSERT INTO ticket_events", {}, Exception("database lost"))]

    def record_failing_once(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return record(*args, **kwargs)

    monkeypatch.setattr(store, "record_line_message", record_failing_once)
    first, _ = await _send(client, ticket.reference, STAFF_TEXT, retry_key=match.group(1))
    assert first.status == 500 and failures == []
    assert not any(e.kind is EventKind.LINE_MESSAGE_SENT for e in store.events(ticket.reference))

    _, flashed = await _send(client, ticket.reference, STAFF_TEXT, retry_key=match.group(1))
    await _send(client, ticket.reference, STAFF_TEXT, retry_key=match.group(1))

    assert "すでに送っています" in flashed
    assert fake_line.sent_texts() == [STAFF_TEXT]  # delivered once
    logged = [e for e in store.events(ticket.reference) if e.kind is EventKind.LINE_MESSAGE_SENT]
    assert [(e.actor, e.data["text"]) for e in logged] == [("ube-staff", STAFF_TEXT)]


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"channel": Channel.WEB, "conversation_id": "web-abc"}, "LINEから受け付けた相談ではない"),
        ({"method": ContactMethod.PHONE}, "連絡方法にLINEをえらんでいない"),
    ],
    ids=["web-chat ticket", "resident chose the phone"],
)
async def test_no_line_message_where_the_resident_cannot_or_did_not_ask_for_it(
    client: TestClient,
    worker,
    store: TicketStore,
    fake_line: FakeLineApi,
    kwargs: dict,
    reason: str,
) -> None:
    ticket = _line_ticket(store, **kwargs)
    page = await (await client.get(f"/tickets/{ticket.reference}")).text()
    assert f'action="/tickets/{ticket.reference}/line"' not in page

    _, flashed = await _send(client, ticket.reference, STAFF_TEXT)  # a forged POST anyway

    assert reason in flashed
    assert fake_line.calls == []
    assert len(store.events(ticket.reference)) == 1


async def test_closed_ticket_is_not_messaged(
    client: TestClient, worker, store: TicketStore, fake_line: FakeLineApi
) -> None:
    ticket = _line_ticket(store)
    store.change_status(ticket.reference, Status.CLOSED, by=worker)
    _, flashed = await _send(client, ticket.reference, STAFF_TEXT)
    assert "終了した相談票です" in flashed
    assert fake_line.calls == []


async def test_staff_of_another_city_cannot_message_the_resident(
    client: TestClient, login, make_user, store: TicketStore, fake_line: FakeLineApi
) -> None:
    ticket = _line_ticket(store)
    make_user("kurume-staff", Role.STAFF, city="kurume", window=KURUME)
    await login("kurume-staff")
    token = await page_token(client, "/")
    response = await client.post(
        f"/tickets/{ticket.reference}/line",
        data={"csrf_token": token, "text": STAFF_TEXT},
        allow_redirects=False,
    )
    assert response.status == 404
    assert fake_line.calls == []


async def test_without_csrf_token_nothing_is_sent(
    client: TestClient, worker, store: TicketStore, fake_line: FakeLineApi
) -> None:
    ticket = _line_ticket(store)
    response = await client.post(
        f"/tickets/{ticket.reference}/line", data={"text": STAFF_TEXT}, allow_redirects=False
    )
    assert response.status == 403
    assert fake_line.calls == []


async def test_empty_message_is_refused(
    client: TestClient, worker, store: TicketStore, fake_line: FakeLineApi
) -> None:
    ticket = _line_ticket(store)
    _, flashed = await _send(client, ticket.reference, "   ")
    assert "メッセージが空です" in flashed
    assert fake_line.calls == []


async def test_line_outage_is_told_to_staff_and_not_logged_as_sent(
    client: TestClient,
    worker,
    store: TicketStore,
    fake_line: FakeLineApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ticket = _line_ticket(store)
    fake_line.fail(503, times=10)
    with caplog.at_level("INFO"):
        _, flashed = await _send(client, ticket.reference, STAFF_TEXT)

    assert "送れませんでした" in flashed
    assert 1 < len(fake_line.calls) <= 3  # retried, bounded: staff are waiting for the page
    assert len(store.events(ticket.reference)) == 1
    for record in caplog.records:
        assert USER_ID not in record.getMessage() and STAFF_TEXT not in record.getMessage()


async def test_wrong_access_token_is_reported_to_staff(
    client: TestClient, worker, store: TicketStore, fake_line: FakeLineApi
) -> None:
    ticket = _line_ticket(store)
    fake_line.access_token = "another-token"
    _, flashed = await _send(client, ticket.reference, STAFF_TEXT)
    assert "LINEの設定" in flashed
    assert [call.status for call in fake_line.calls] == [401]
    assert len(store.events(ticket.reference)) == 1
