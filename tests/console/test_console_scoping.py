"""No one sees another city's tickets; window staff see only their window — on both backends.

Out-of-scope references must look exactly like unknown ones (404, same body), in the console
and in the API, and must not appear in the queue or its counts.
"""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from console_helpers import FUKUSHI, KURUME, SEIKATSU, page_token, ticket_of

from bot.tickets import Role, Status, TicketStore


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tickets.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def tickets(make_ticket) -> dict[str, str]:
    return {
        SEIKATSU: make_ticket(windows=(SEIKATSU,)).reference,
        FUKUSHI: make_ticket(windows=(FUKUSHI,)).reference,
        KURUME: make_ticket(city="kurume", windows=(KURUME,)).reference,
    }


async def _queue_refs(client: TestClient, tickets: dict[str, str]) -> set[str]:
    html = await (await client.get("/?status=all")).text()
    return {window for window, ref in tickets.items() if ref in html}


async def test_city_coordinator_cannot_see_another_city(
    client: TestClient, login, make_user, store: TicketStore, tickets
) -> None:
    make_user("ube-coord", Role.COORDINATOR)
    await login("ube-coord")
    assert await _queue_refs(client, tickets) == {SEIKATSU, FUKUSHI}

    kurume_ref = tickets[KURUME]
    out_of_scope = await client.get(f"/tickets/{kurume_ref}")
    unknown = await client.get("/tickets/KURUME-2026-999999")
    assert out_of_scope.status == unknown.status == 404
    assert (await out_of_scope.text()).replace(kurume_ref, "") == (await unknown.text()).replace(
        "KURUME-2026-999999", ""
    )
    assert "山田" not in await out_of_scope.text()

    token = store.create_api_token("ube-coord").token
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get(f"/api/tickets/{kurume_ref}", headers=auth)).status == 404
    listed = await (await client.get("/api/tickets", headers=auth)).json()
    assert {t["reference"] for t in listed["tickets"]} == {tickets[SEIKATSU], tickets[FUKUSHI]}
    assert listed["total"] == 2


async def test_kurume_coordinator_sees_only_kurume(
    client: TestClient, login, make_user, tickets
) -> None:
    make_user("kurume-coord", Role.COORDINATOR, city="kurume")
    await login("kurume-coord")
    assert await _queue_refs(client, tickets) == {KURUME}
    assert (await client.get(f"/tickets/{tickets[SEIKATSU]}")).status == 404


async def test_window_staff_see_only_their_window(
    client: TestClient, login, make_user, tickets
) -> None:
    make_user("seikatsu-staff", window=SEIKATSU)
    await login("seikatsu-staff")
    assert await _queue_refs(client, tickets) == {SEIKATSU}
    assert (await client.get(f"/tickets/{tickets[SEIKATSU]}")).status == 200
    assert (await client.get(f"/tickets/{tickets[FUKUSHI]}")).status == 404
    html = await (await client.get("/?status=all")).text()
    assert "新規 <strong>1</strong>件" in html  # counts are scoped too


async def test_out_of_scope_actions_are_404_and_change_nothing(
    client: TestClient, login, make_user, store: TicketStore, tickets
) -> None:
    make_user("seikatsu-staff", window=SEIKATSU)
    await login("seikatsu-staff")
    token = await page_token(client)
    for ref in (tickets[FUKUSHI], tickets[KURUME]):
        for path, data in (
            ("assign", {}),
            ("status", {"status": "closed"}),
            ("notes", {"text": "見えないはず"}),
            ("refer", {}),
        ):
            response = await client.post(
                f"/tickets/{ref}/{path}", data={**data, "csrf_token": token}, allow_redirects=False
            )
            assert response.status == 404, (ref, path)
        assert len(store.events(ref)) == 1
    admin = make_user("ube-admin", Role.ADMIN)
    assert ticket_of(store, tickets[FUKUSHI], admin).status is Status.NEW
