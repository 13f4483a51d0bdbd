"""The JSON API: bearer tokens, the user's scope, filters, ISO-8601 datetimes, no cookies."""

from __future__ import annotations

from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient
from console_helpers import FUKUSHI, SEIKATSU

from bot.tickets import Role, TicketStore


@pytest.fixture
def tickets(make_ticket) -> dict[str, str]:
    return {
        "seikatsu": make_ticket(windows=(SEIKATSU,), categories=("housing",)).reference,
        "fukushi": make_ticket(
            windows=(FUKUSHI,), categories=("debt",), urgency="今日中"
        ).reference,
        "kurume": make_ticket(city="kurume", windows=("kurume.seikatsu_jiritsu",)).reference,
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_missing_or_malformed_credentials_get_401(client: TestClient, tickets) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}):
        response = await client.get("/api/tickets", headers=headers)
        assert response.status == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await response.json())["error"] == "unauthorized"


async def test_wrong_token_gets_401(client: TestClient, tickets) -> None:
    for token in ("nonsense", "itk_" + "x" * 40, "y" * 5000):
        response = await client.get(f"/api/tickets/{tickets['seikatsu']}", headers=bearer(token))
        assert response.status == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


async def test_good_token_lists_only_the_users_scope(
    client: TestClient, tickets, make_user, store: TicketStore
) -> None:
    make_user("seikatsu-staff", window=SEIKATSU)
    token = store.create_api_token("seikatsu-staff").token
    response = await client.get("/api/tickets", headers=bearer(token))
    assert response.status == 200
    assert response.content_type == "application/json"
    assert "Set-Cookie" not in response.headers  # the API never starts a session
    body = await response.json()
    assert body["total"] == 1
    assert [t["reference"] for t in body["tickets"]] == [tickets["seikatsu"]]
    assert (
        await client.get(f"/api/tickets/{tickets['fukushi']}", headers=bearer(token))
    ).status == 404
    assert (
        await client.get(f"/api/tickets/{tickets['kurume']}", headers=bearer(token))
    ).status == 404


async def test_ticket_detail_has_everything_with_iso_datetimes(
    client: TestClient, tickets, make_user, store: TicketStore
) -> None:
    coordinator = make_user("coord", Role.COORDINATOR)
    store.add_note(tickets["seikatsu"], "電話済み", by=coordinator)
    token = store.create_api_token("coord").token
    response = await client.get(
        f"/api/tickets/{tickets['seikatsu'].lower()}", headers=bearer(token)
    )
    assert response.status == 200
    body = await response.json()
    ticket = body["ticket"]
    assert ticket["reference"] == tickets["seikatsu"]
    assert ticket["summary"]["contact_value"] == "090-1234-5678"
    assert ticket["summary"]["about_whom"] == "本人"
    assert ticket["consent"]["support_meeting"] is True
    assert ticket["windows"] == [{"id": SEIKATSU, "name": "生活相談サポートセンターうべ"}]
    assert ticket["messages"][0]["text"] == "家賃を3か月滞納しています"
    for moment in (ticket["created_at"], ticket["consent"]["given_at"], body["events"][0]["at"]):
        assert datetime.fromisoformat(moment).utcoffset() is not None
    assert [e["kind"] for e in body["events"]] == ["created", "note_added"]
    assert body["events"][1]["actor"] == "coord"


async def test_api_filters_and_order(
    client: TestClient, tickets, make_user, store: TicketStore
) -> None:
    coordinator = make_user("coord", Role.COORDINATOR)
    store.change_status(tickets["seikatsu"], "closed", by=coordinator)
    token = store.create_api_token("coord").token

    async def refs(query: str) -> list[str]:
        response = await client.get(f"/api/tickets?{query}", headers=bearer(token))
        assert response.status == 200, await response.text()
        return [t["reference"] for t in (await response.json())["tickets"]]

    assert await refs("") == [tickets["fukushi"], tickets["seikatsu"]]  # urgent first
    assert await refs("status=new") == [tickets["fukushi"]]
    assert await refs("status=closed") == [tickets["seikatsu"]]
    assert await refs("status=open") == [tickets["fukushi"]]
    assert await refs("priority=urgent") == [tickets["fukushi"]]
    assert await refs("category=housing") == [tickets["seikatsu"]]
    assert await refs(f"window={FUKUSHI}") == [tickets["fukushi"]]
    assert await refs("limit=1&offset=1") == [tickets["seikatsu"]]


@pytest.mark.parametrize(
    "query", ["status=bogus", "priority=low", "limit=0", "limit=501", "limit=x", "offset=-1"]
)
async def test_bad_parameters_are_400(
    client: TestClient, tickets, make_user, store: TicketStore, query: str
) -> None:
    make_user("coord", Role.COORDINATOR)
    token = store.create_api_token("coord").token
    response = await client.get(f"/api/tickets?{query}", headers=bearer(token))
    assert response.status == 400
    assert (await response.json())["error"] == "invalid_parameter"


async def test_revoked_token_and_disabled_user_get_401(
    client: TestClient, tickets, make_user, store: TicketStore
) -> None:
    make_user("coord", Role.COORDINATOR)
    make_user("coord2", Role.COORDINATOR)
    revoked = store.create_api_token("coord")
    assert (await client.get("/api/tickets", headers=bearer(revoked.token))).status == 200
    store.revoke_api_token(revoked.info.id)
    assert (await client.get("/api/tickets", headers=bearer(revoked.token))).status == 401
    of_disabled = store.create_api_token("coord2").token
    store.disable_user("coord2")
    assert (await client.get("/api/tickets", headers=bearer(of_disabled))).status == 401


async def test_session_cookie_does_not_authenticate_the_api(
    client: TestClient, tickets, make_user, login
) -> None:
    make_user("coord", Role.COORDINATOR)
    await login("coord")
    assert (await client.get("/")).status == 200
    assert (await client.get("/api/tickets")).status == 401


async def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = await client.get("/api/nothing")
    assert response.status == 404
    assert (await response.json())["error"] == "not_found"
