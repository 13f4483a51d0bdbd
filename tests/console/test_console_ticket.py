"""The ticket page: what a window worker reads, and the actions they take on it."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from console_helpers import FUKUSHI, PASSWORD, SEIKATSU, csrf_of, page_token, ticket_of

from bot.tickets import EventKind, Role, Status, TicketStore


@pytest.fixture
async def coordinator(client: TestClient, login, make_user):
    user = make_user("ube-coord", Role.COORDINATOR)
    await login("ube-coord")
    return user


async def _post(client: TestClient, ref: str, action: str, **data: str):
    token = await page_token(client, f"/tickets/{ref}")
    return await client.post(
        f"/tickets/{ref}/{action}", data={**data, "csrf_token": token}, allow_redirects=False
    )


async def test_page_shows_the_summary_consent_and_messages(
    client: TestClient, coordinator, make_ticket
) -> None:
    ticket = make_ticket(
        windows=(SEIKATSU, FUKUSHI),
        categories=("housing", "debt"),
        crisis=True,
        support_meeting=False,
        messages=("死にたいと思うことがある",),
    )
    response = await client.get(f"/tickets/{ticket.reference}")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = await response.text()
    for expected in (
        ticket.reference,
        "危機の可能性があります",  # crisis flag, in words
        "至急",
        "本人",
        "40代",
        "単身",
        "電話",
        "090-1234-5678",
        "山田",
        "家賃が払えず困っている",
        "住まい",
        "借金",
        "生活相談サポートセンターうべ",  # window names from the directory
        "福祉総合相談センター",
        "死にたいと思うことがある",
        "2026/03/10 08:50",  # 23:50 UTC as JST
        "相談内容の要約",  # consented items in Japanese
        "同意なし",
    ):
        assert expected in html, expected


async def test_when_it_is_safe_to_call_is_the_first_thing_staff_read(
    client: TestClient, coordinator, make_ticket
) -> None:
    """For abuse and DV, a call at the wrong time can endanger the resident."""
    ticket = make_ticket(
        categories=("abuse_dv",),
        crisis=True,
        crisis_kind="abuse",
        safe_contact="夜は夫がいるので電話しないで<b>",
    )
    html = await (await client.get(f"/tickets/{ticket.reference}")).text()
    main = html[html.index("<main") :]
    first_box = main.index("安全に連絡できる時間と方法")
    assert first_box < main.index("危機の可能性があります") < main.index("相談の概要")
    assert "夜は夫がいるので電話しないで&lt;b&gt;" in html
    assert "（暴力・虐待）" in html


async def test_abuse_without_an_answer_still_warns_before_calling(
    client: TestClient, coordinator, make_ticket
) -> None:
    ticket = make_ticket(categories=("abuse_dv",), crisis=True, crisis_kind="abuse")
    html = await (await client.get(f"/tickets/{ticket.reference}")).text()
    assert "安全に連絡できる時間と方法" in html and "未回答です" in html


async def test_other_worries_have_no_safe_contact_box(
    client: TestClient, coordinator, make_ticket
) -> None:
    html = await (await client.get(f"/tickets/{make_ticket().reference}")).text()
    assert "安全に連絡できる時間と方法" not in html


async def test_resident_text_is_escaped(client: TestClient, coordinator, make_ticket) -> None:
    ticket = make_ticket(messages=("<script>alert(1)</script>",))
    html = await (await client.get(f"/tickets/{ticket.reference}")).text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


async def test_note_with_markup_is_escaped_in_event_log(
    client: TestClient, coordinator, make_ticket
) -> None:
    ticket = make_ticket()
    await _post(client, ticket.reference, "notes", text='<img src=x onerror="alert(1)">')
    html = await (await client.get(f"/tickets/{ticket.reference}")).text()
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


async def test_without_directory_windows_are_shown_by_id(
    aiohttp_client, settings, store, make_user, make_ticket, tmp_path
) -> None:
    """A broken or missing window directory must not take the console down."""
    from dataclasses import replace

    from bot.console import create_app

    app = create_app(replace(settings, data_dir=tmp_path / "no-such-dir"), store)
    client = await aiohttp_client(app)
    make_user("ube-coord", Role.COORDINATOR)
    page = await client.get("/login")
    await client.post(
        "/login",
        data={
            "username": "ube-coord",
            "password": PASSWORD,
            "csrf_token": csrf_of(await page.text()),
        },
    )
    ticket = make_ticket()
    response = await client.get(f"/tickets/{ticket.reference}")
    assert response.status == 200
    assert SEIKATSU in await response.text()


async def test_assign_to_self(
    client: TestClient, coordinator, make_ticket, store: TicketStore
) -> None:
    ticket = make_ticket()
    response = await _post(client, ticket.reference, "assign")
    assert response.status == 303
    assert response.headers["Location"] == f"/tickets/{ticket.reference}"
    after = ticket_of(store, ticket.reference, coordinator)
    assert after.assigned_to == "ube-coord"
    assert after.status is Status.ASSIGNED
    html = await (await client.get(f"/tickets/{ticket.reference}")).text()
    assert "あなたが担当になりました" in html
    assert "自分が担当する" not in html  # no longer offered


async def test_valid_status_change(
    client: TestClient, coordinator, make_ticket, store: TicketStore
) -> None:
    ticket = make_ticket()
    store.assign(ticket.reference, coordinator, by=coordinator)
    response = await _post(client, ticket.reference, "status", status="in_progress")
    assert response.status == 303
    assert ticket_of(store, ticket.reference, coordinator).status is Status.IN_PROGRESS
    assert "「対応中」に変えました" in await (await client.get(response.headers["Location"])).text()


async def test_only_valid_next_statuses_are_offered(
    client: TestClient, coordinator, make_ticket
) -> None:
    ticket = make_ticket()  # new → assigned (own button) or closed
    html = await (await client.get(f"/tickets/{ticket.reference}")).text()
    select = html[
        html.index('name="status"') : html.index("</select>", html.index('name="status"'))
    ]
    assert 'value="closed"' in select
    assert 'value="in_progress"' not in select
    assert 'value="referred"' not in select


async def test_invalid_status_change_is_refused_with_a_message(
    client: TestClient, coordinator, make_ticket, store: TicketStore
) -> None:
    ticket = make_ticket()
    response = await _post(client, ticket.reference, "status", status="in_progress")
    assert response.status == 303
    page = await (await client.get(response.headers["Location"])).text()
    assert "「新規」から「対応中」に変えることはできません" in page
    assert ticket_of(store, ticket.reference, coordinator).status is Status.NEW
    assert len(store.events(ticket.reference)) == 1


async def test_unknown_status_value_changes_nothing(
    client: TestClient, coordinator, make_ticket, store: TicketStore
) -> None:
    ticket = make_ticket()
    for value in ("bogus", "referred", "assigned"):
        await _post(client, ticket.reference, "status", status=value)
    assert ticket_of(store, ticket.reference, coordinator).status is Status.NEW
    assert len(store.events(ticket.reference)) == 1


async def test_note_appears_in_event_log(
    client: TestClient, coordinator, make_ticket, store: TicketStore
) -> None:
    ticket = make_ticket()
    await _post(client, ticket.reference, "notes", text="来週電話する予定")
    events = store.events(ticket.reference)
    assert events[-1].kind is EventKind.NOTE_ADDED
    assert events[-1].actor == "ube-coord"
    html = await (await client.get(f"/tickets/{ticket.reference}")).text()
    log = html[html.index('id="log-h"') :]
    assert "来週電話する予定" in log
    assert "ube-coord" in log
    assert "メモ" in log


async def test_empty_note_is_refused(
    client: TestClient, coordinator, make_ticket, store: TicketStore
) -> None:
    ticket = make_ticket()
    response = await _post(client, ticket.reference, "notes", text="   ")
    assert "メモが空です" in await (await client.get(response.headers["Location"])).text()
    assert len(store.events(ticket.reference)) == 1


async def _in_progress(store: TicketStore, ref: str, user) -> None:
    store.assign(ref, user, by=user)
    store.change_status(ref, "in_progress", by=user)


async def test_refer_without_consent_is_refused(
    client: TestClient, coordinator, make_ticket, store: TicketStore
) -> None:
    ticket = make_ticket(support_meeting=False)
    await _in_progress(store, ticket.reference, coordinator)
    html = await (await client.get(f"/tickets/{ticket.reference}")).text()
    assert "同意を得ていないため、多機関協働へつなげません" in html
    assert 'disabled aria-describedby="refer-why"' in html
    response = await _post(client, ticket.reference, "refer")  # a forged POST anyway
    page = await (await client.get(response.headers["Location"])).text()
    assert "同意がないため、多機関協働へつなげません" in page
    assert ticket_of(store, ticket.reference, coordinator).status is Status.IN_PROGRESS


async def test_refer_with_consent(
    client: TestClient, coordinator, make_ticket, store: TicketStore
) -> None:
    ticket = make_ticket(support_meeting=True)
    await _in_progress(store, ticket.reference, coordinator)
    await _post(client, ticket.reference, "refer", note="家計と就労の両面で")
    assert ticket_of(store, ticket.reference, coordinator).status is Status.REFERRED
    assert store.events(ticket.reference)[-1].data["note"] == "家計と就労の両面で"


async def test_post_without_or_with_wrong_csrf_token_changes_nothing(
    client: TestClient, coordinator, make_ticket, store: TicketStore
) -> None:
    ticket = make_ticket()
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
        for action, extra in (
            ("assign", {}),
            ("status", {"status": "closed"}),
            ("notes", {"text": "x"}),
        ):
            response = await client.post(
                f"/tickets/{ticket.reference}/{action}",
                data={**data, **extra},
                allow_redirects=False,
            )
            assert response.status == 403, (action, data)
    after = ticket_of(store, ticket.reference, coordinator)
    assert after.status is Status.NEW and after.assigned_to is None
    assert len(store.events(ticket.reference)) == 1


async def test_every_form_carries_the_csrf_token(
    client: TestClient, coordinator, make_ticket
) -> None:
    ticket = make_ticket()
    html = await (await client.get(f"/tickets/{ticket.reference}")).text()
    forms = html.count('method="post"')
    assert forms >= 4
    assert html.count('name="csrf_token"') == forms


async def test_lower_case_reference_works(client: TestClient, coordinator, make_ticket) -> None:
    ticket = make_ticket()
    assert (await client.get(f"/tickets/{ticket.reference.lower()}")).status == 200
