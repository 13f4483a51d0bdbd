"""User administration: only a city's admin, only within the city, always with CSRF."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from console_helpers import PASSWORD, SEIKATSU, page_token, user_of

from bot.tickets import Role, TicketStore


@pytest.fixture
async def admin(client: TestClient, login, make_user):
    user = make_user("ube-admin", Role.ADMIN)
    await login("ube-admin")
    return user


async def _create(client: TestClient, **fields: str):
    token = await page_token(client, "/users")
    data = {"password": PASSWORD, "password_confirm": PASSWORD, "csrf_token": token, **fields}
    return await client.post("/users", data=data, allow_redirects=False)


async def test_admin_lists_only_own_city(client: TestClient, admin, make_user) -> None:
    make_user("ube-staff", window=SEIKATSU)
    make_user("kurume-staff", city="kurume")
    html = await (await client.get("/users")).text()
    assert "ube-staff" in html
    assert "kurume-staff" not in html
    assert "生活相談サポートセンターうべ" in html


async def test_admin_creates_a_user_who_can_log_in(
    client: TestClient, admin, store: TicketStore, login
) -> None:
    response = await _create(client, username="tanaka", role="staff", window_id=SEIKATSU)
    assert response.status == 303
    created = store.get_user("tanaka")
    assert created is not None
    assert (created.city, created.role.value, created.window_id) == ("ube", "staff", SEIKATSU)
    assert "tanaka を作成しました" in await (await client.get("/users")).text()
    assert store.authenticate("tanaka", PASSWORD) is not None


async def test_new_user_is_always_in_the_admins_city(
    client: TestClient, admin, store: TicketStore
) -> None:
    await _create(client, username="coord2", role="coordinator", city="kurume")
    assert user_of(store, "coord2").city == "ube"


async def test_create_refusals_are_explained(client: TestClient, admin, store: TicketStore) -> None:
    cases = (
        (
            {"username": "weak", "password": "short", "password_confirm": "short"},
            "12文字以上、128文字以下にしてください",
        ),
        ({"username": "mismatch", "password_confirm": "other password!!"}, "一致しません"),
        ({"username": "nowindow", "role": "staff"}, "作成できませんでした"),
        ({"username": "ube-admin"}, "作成できませんでした"),  # already exists
    )
    for fields, message in cases:
        token = await page_token(client, "/users")
        data = {"role": "coordinator", "password": PASSWORD, "password_confirm": PASSWORD}
        response = await client.post("/users", data={**data, **fields, "csrf_token": token})
        assert response.status == 200  # followed the redirect back to the list
        assert message in await response.text(), fields
    assert all(store.get_user(n) is None for n in ("weak", "mismatch", "nowindow"))


async def test_admin_disables_a_user(
    client: TestClient, admin, make_user, store: TicketStore
) -> None:
    make_user("ube-staff", window=SEIKATSU)
    token = await page_token(client, "/users")
    response = await client.post(
        "/users/ube-staff/disable", data={"csrf_token": token}, allow_redirects=False
    )
    assert response.status == 303
    assert user_of(store, "ube-staff").disabled
    assert store.authenticate("ube-staff", PASSWORD) is None


async def test_admin_cannot_touch_another_city_or_themselves(
    client: TestClient, admin, make_user, store: TicketStore
) -> None:
    make_user("kurume-staff", city="kurume")
    token = await page_token(client, "/users")
    other = await client.post("/users/kurume-staff/disable", data={"csrf_token": token})
    assert other.status == 404
    assert not user_of(store, "kurume-staff").disabled
    await client.post("/users/ube-admin/disable", data={"csrf_token": token})
    assert not user_of(store, "ube-admin").disabled


async def test_user_admin_needs_csrf(client: TestClient, admin, make_user, store) -> None:
    make_user("ube-staff", window=SEIKATSU)
    response = await client.post("/users/ube-staff/disable", data={}, allow_redirects=False)
    assert response.status == 403
    response = await client.post(
        "/users",
        data={
            "username": "x1",
            "role": "coordinator",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "csrf_token": "wrong",
        },
    )
    assert response.status == 403
    assert not user_of(store, "ube-staff").disabled
    assert store.get_user("x1") is None


@pytest.mark.parametrize("role", [Role.STAFF, Role.COORDINATOR])
async def test_non_admins_get_403(
    client: TestClient, login, make_user, store: TicketStore, role: Role
) -> None:
    make_user("someone", role)
    make_user("victim", window=SEIKATSU)
    await login("someone")
    assert (await client.get("/users")).status == 403
    token = await page_token(client)
    assert (await client.post("/users/victim/disable", data={"csrf_token": token})).status == 403
    created = await client.post(
        "/users",
        data={
            "username": "x2",
            "role": "admin",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "csrf_token": token,
        },
    )
    assert created.status == 403
    assert not user_of(store, "victim").disabled
    assert store.get_user("x2") is None
    assert 'href="/users"' not in await (await client.get("/")).text()
