"""Login, logout, sessions and throttling of the staff console."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from console_helpers import PASSWORD, csrf_of, page_token

from bot.console.app import SESSION_COOKIE
from bot.tickets import Role, TicketStore


async def test_pages_need_login(client: TestClient) -> None:
    for path in ("/", "/tickets/UBE-2026-000001", "/users"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"].startswith("/login?next="), path


async def test_good_login_opens_the_queue(client: TestClient, login, make_user) -> None:
    make_user("sato", Role.COORDINATOR)
    response = await login("sato")
    assert response.status == 303
    assert response.headers["Location"] == "/"
    queue = await client.get("/")
    assert queue.status == 200
    assert "sato" in await queue.text()


async def test_wrong_password_and_unknown_user_are_refused_alike(
    client: TestClient, login, make_user
) -> None:
    make_user("sato", Role.COORDINATOR)
    for username, password in (("sato", "wrong password!!"), ("nobody", PASSWORD)):
        response = await login(username, password)
        assert response.status == 200
        assert "ユーザー名またはパスワードが違います" in await response.text()
        assert (await client.get("/", allow_redirects=False)).status == 303


async def test_disabled_user_cannot_log_in(client: TestClient, login, make_user, store) -> None:
    make_user("sato", Role.COORDINATOR)
    store.disable_user("sato")
    response = await login("sato")
    assert response.status == 200
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_disabling_ends_an_open_session(client: TestClient, login, make_user, store) -> None:
    make_user("sato", Role.COORDINATOR)
    await login("sato")
    assert (await client.get("/")).status == 200
    store.disable_user("sato")
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_logout_ends_the_session(client: TestClient, login, make_user) -> None:
    make_user("sato", Role.COORDINATOR)
    await login("sato")
    token = await page_token(client)
    response = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/login"
    assert (await client.get("/", allow_redirects=False)).status == 303
    assert "ログアウトしました" in await (await client.get("/login")).text()


async def test_logout_without_token_is_refused(client: TestClient, login, make_user) -> None:
    make_user("sato", Role.COORDINATOR)
    await login("sato")
    response = await client.post("/logout", data={}, allow_redirects=False)
    assert response.status == 403
    assert (await client.get("/")).status == 200


async def test_login_form_needs_csrf_token(client: TestClient, make_user) -> None:
    make_user("sato", Role.COORDINATOR)
    await client.get("/login")
    response = await client.post(
        "/login", data={"username": "sato", "password": PASSWORD}, allow_redirects=False
    )
    assert response.status == 403
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_login_rotates_session_and_csrf_token(client: TestClient, make_user) -> None:
    make_user("sato", Role.COORDINATOR)
    before = csrf_of(await (await client.get("/login")).text())
    cookie_before = client.session.cookie_jar.filter_cookies(client.make_url("/"))[SESSION_COOKIE]
    await client.post(
        "/login", data={"username": "sato", "password": PASSWORD, "csrf_token": before}
    )
    after = await page_token(client)
    cookie_after = client.session.cookie_jar.filter_cookies(client.make_url("/"))[SESSION_COOKIE]
    assert after != before
    assert cookie_after.value != cookie_before.value


async def test_session_cookie_flags(client: TestClient, make_user) -> None:
    make_user("sato", Role.COORDINATOR)
    response = await client.get("/login")
    header = response.headers["Set-Cookie"]
    assert header.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Max-Age=" in header
    assert "Secure" not in header  # settings.cookie_secure is False in tests


async def test_secure_cookie_when_configured(aiohttp_client, settings, store) -> None:
    from dataclasses import replace

    from bot.console import create_app

    client = await aiohttp_client(create_app(replace(settings, cookie_secure=True), store))
    response = await client.get("/login")
    assert "Secure" in response.headers["Set-Cookie"]


async def test_next_parameter_stays_on_this_site(client: TestClient, make_user) -> None:
    make_user("sato", Role.COORDINATOR)
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={
            "username": "sato",
            "password": PASSWORD,
            "next": "//evil.example/",
            "csrf_token": csrf_of(await page.text()),
        },
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/"


async def test_repeated_failures_are_throttled(
    client: TestClient, login, make_user, throttle
) -> None:
    make_user("sato", Role.COORDINATOR)
    for _ in range(throttle.free_failures):
        assert (await login("sato", "wrong password!!")).status == 200
    assert (await login("sato", "wrong password!!")).status == 200  # this one starts the wait
    blocked = await login("sato")  # even the right password waits
    assert blocked.status == 429
    assert "Retry-After" in blocked.headers
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_store_is_not_touched_by_anonymous_post(
    client: TestClient, store: TicketStore, make_ticket
) -> None:
    ticket = make_ticket()
    response = await client.post(
        f"/tickets/{ticket.reference}/notes", data={"text": "x"}, allow_redirects=False
    )
    assert response.status == 403  # no session token at all
    assert len(store.events(ticket.reference)) == 1
