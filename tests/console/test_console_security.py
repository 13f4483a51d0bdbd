"""Console security: redirects stay on the site, logins are throttled without lock-outs,
sessions live on the server and end everywhere at once, HTTPS-only cookies and HSTS off
loopback, one password length limit, API tokens that expire and show their last use."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from console_helpers import PASSWORD, csrf_of, page_token
from sqlalchemy import text

from bot.console import create_app
from bot.console.app import SESSION_COOKIE
from bot.console.auth import safe_next
from bot.console.sessions import RedisSessionBackend
from bot.console.throttle import LoginThrottle
from bot.settings import Settings
from bot.tickets import Role, TicketStore

# --- open redirect ---------------------------------------------------------------------------

EVIL = [
    "//evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/%252F%252Fevil.example",
    "/\u3000/evil.example",
    "\x00//evil.example",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", EVIL)
def test_next_that_could_leave_the_site_becomes_root(target: str) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/", "/tickets/UBE-2026-000001", "/?status=new&page=2"])
def test_same_site_paths_are_kept(target: str) -> None:
    assert safe_next(target) == target


async def test_logged_in_visit_to_login_with_tab_trick_stays_here(
    client: TestClient, login, make_user
) -> None:
    """The reported bug: /login?next=/%09/evil.example sent the browser to //evil.example."""
    make_user("sato", Role.COORDINATOR)
    await login("sato")
    response = await client.get("/login?next=/%09/evil.example", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/"


# --- throttling --------------------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test client talks through a trusted local proxy that names the real client."""
    return replace(settings, console_trusted_proxy_hops=1)


async def _login_as(client: TestClient, username: str, password: str, ip: str) -> Any:
    headers = {"X-Forwarded-For": ip}
    page = await client.get("/login", headers=headers)
    return await client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(await page.text())},
        headers=headers,
        allow_redirects=False,
    )


async def test_attacker_elsewhere_cannot_lock_staff_out(
    client: TestClient, make_user, throttle: LoginThrottle
) -> None:
    make_user("sato", Role.COORDINATOR)
    for _ in range(throttle.free_failures + 3):
        await _login_as(client, "sato", "wrong password!!", "203.0.113.9")
    blocked = await _login_as(client, "sato", PASSWORD, "203.0.113.9")
    assert blocked.status == 429, "the guessing client waits, even with the right password"
    ok = await _login_as(client, "sato", PASSWORD, "198.51.100.20")
    assert ok.status == 303, "staff at their own PC still get in"


async def test_one_client_spraying_many_usernames_is_capped(
    client: TestClient, make_user, throttle: LoginThrottle
) -> None:
    make_user("sato", Role.COORDINATOR)
    for n in range(throttle.ip_free_failures + 1):
        await _login_as(client, f"user{n}", "wrong password!!", "203.0.113.9")
    assert (await _login_as(client, "sato", PASSWORD, "203.0.113.9")).status == 429
    assert (await _login_as(client, "sato", PASSWORD, "198.51.100.20")).status == 303


async def test_forwarded_header_is_ignored_from_untrusted_peers(
    aiohttp_client, settings: Settings, store: TicketStore, make_user
) -> None:
    """Without a trusted proxy, X-Forwarded-For cannot be used to dodge the throttle."""
    throttle = LoginThrottle(free_failures=1)
    app = create_app(replace(settings, console_trusted_proxy_hops=0), store, throttle=throttle)
    client = await aiohttp_client(app)
    make_user("sato", Role.COORDINATOR)
    for n in range(3):
        await _login_as(client, "sato", "wrong password!!", f"203.0.113.{n}")
    assert (await _login_as(client, "sato", PASSWORD, "198.51.100.20")).status == 429


def test_throttle_keys_by_username_and_client() -> None:
    now = [1000.0]
    throttle = LoginThrottle(
        free_failures=2, base_delay=10, max_delay=25, ip_free_failures=100, clock=lambda: now[0]
    )
    for _ in range(3):
        throttle.failure("Sato", "192.0.2.1")
    assert throttle.retry_after("sato", "192.0.2.1") == 10
    assert throttle.retry_after("sato", "192.0.2.2") == 0
    assert throttle.retry_after("suzuki", "192.0.2.1") == 0
    throttle.failure("sato", "192.0.2.1")
    assert throttle.retry_after("SATO", "192.0.2.1") == 20
    throttle.failure("sato", "192.0.2.1")
    assert throttle.retry_after("sato", "192.0.2.1") == 25  # capped
    now[0] += 30
    assert throttle.retry_after("sato", "192.0.2.1") == 0
    throttle.success("sato", "192.0.2.1")
    throttle.failure("sato", "192.0.2.1")
    assert throttle.retry_after("sato", "192.0.2.1") == 0


# --- server-side sessions ----------------------------------------------------------------------


def _session_id(client: TestClient) -> str:
    return client.session.cookie_jar.filter_cookies(client.make_url("/"))[SESSION_COOKIE].value


async def test_cookie_holds_only_a_random_id_stored_hashed(
    client: TestClient, login, make_user, store: TicketStore
) -> None:
    make_user("sato", Role.COORDINATOR)
    await login("sato")
    sid = _session_id(client)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", sid), "a random 256-bit id, no data"
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id_hash, username FROM console_sessions")).all()
    assert (hashlib.sha256(sid.encode()).hexdigest(), "sato") in [tuple(r) for r in rows]
    assert all(sid not in str(r) for r in rows), "a database dump holds no usable session"


async def _second_client(client: TestClient) -> TestClient:
    other = TestClient(client.server)
    await other.start_server()
    return other


async def _login_other(other: TestClient, username: str) -> None:
    page = await other.get("/login")
    await other.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(await page.text())},
    )
    assert (await other.get("/", allow_redirects=False)).status == 200


NEW_PASSWORD = "a brand new passphrase"


async def _change_password(
    client: TestClient,
    current: str,
    new: str = NEW_PASSWORD,
    ip: str = "203.0.113.50",
) -> ClientResponse:
    """Post the password form as the logged-in browser would (token from the page)."""
    token = await page_token(client, "/account/password")
    return await client.post(
        "/account/password",
        data={
            "current_password": current,
            "password": new,
            "password_confirm": new,
            "csrf_token": token,
        },
        headers={"X-Forwarded-For": ip},
        allow_redirects=False,
    )


async def _flashed_after(client: TestClient, response: ClientResponse) -> str:
    """The 303 back to the form, and the page it leads to (which shows the flash)."""
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/account/password"
    page = await client.get(response.headers["Location"])
    assert page.status == 200
    return await page.text()


async def test_password_change_ends_every_session_of_the_user(
    client: TestClient, login, make_user, store: TicketStore
) -> None:
    make_user("sato", Role.COORDINATOR)
    make_user("suzuki", Role.COORDINATOR)
    other = await _second_client(client)
    bystander = await _second_client(client)
    try:
        await login("sato")
        await _login_other(other, "sato")
        await _login_other(bystander, "suzuki")
        response = await _change_password(client, PASSWORD)
        assert response.status == 303
        assert response.headers["Location"] == "/login"
        assert (await other.get("/", allow_redirects=False)).status == 303, "other PC logged out"
        assert (await client.get("/", allow_redirects=False)).status == 303
        assert (await bystander.get("/", allow_redirects=False)).status == 200
        assert store.authenticate("sato", NEW_PASSWORD) is not None
    finally:
        await other.close()
        await bystander.close()


async def test_password_change_needs_the_current_password_and_the_limit(
    client: TestClient, login, make_user, store: TicketStore
) -> None:
    make_user("sato", Role.COORDINATOR)
    await login("sato")
    wrong = await _flashed_after(client, await _change_password(client, "wrong password!!"))
    assert "いまのパスワードが違います" in wrong
    too_long = await _flashed_after(client, await _change_password(client, PASSWORD, "x" * 129))
    assert "パスワードは" in too_long and "変更していません" in too_long
    assert store.authenticate("sato", PASSWORD) is not None
    assert (await client.get("/", allow_redirects=False)).status == 200


async def test_current_password_guesses_on_the_password_page_are_throttled(
    client: TestClient, login, make_user, store: TicketStore, throttle: LoginThrottle
) -> None:
    """A stolen session must not become an unlimited oracle for the account's real password:
    the current-password check shares the login throttle (username + client)."""
    make_user("sato", Role.COORDINATOR)
    await login("sato")
    for _ in range(throttle.free_failures + 1):
        response = await _change_password(client, "wrong password!!", ip="203.0.113.9")
        assert "いまのパスワードが違います" in await _flashed_after(client, response)
    blocked = await _change_password(client, PASSWORD, ip="203.0.113.9")
    assert blocked.status == 429, "the guessing client waits, even with the right password"
    assert int(blocked.headers["Retry-After"]) > 0
    assert "待って" in await blocked.text()
    assert store.authenticate("sato", PASSWORD) is not None, "nothing changed"
    # The same throttle as the login form: that client cannot try the password there either,
    # while staff at their own PC still log in.
    assert (await _login_as(client, "sato", PASSWORD, "203.0.113.9")).status == 429
    assert (await _login_as(client, "sato", PASSWORD, "198.51.100.20")).status == 303


async def test_disabling_a_user_from_the_admin_page_ends_all_their_sessions(
    client: TestClient, login, make_user, store: TicketStore
) -> None:
    make_user("admin", Role.ADMIN)
    make_user("sato", Role.COORDINATOR)
    other = await _second_client(client)
    try:
        await _login_other(other, "sato")
        await login("admin")
        token = await page_token(client, "/users")
        await client.post("/users/sato/disable", data={"csrf_token": token})
        assert (await other.get("/", allow_redirects=False)).status == 303
        with store.engine.connect() as conn:
            left = conn.execute(
                text("SELECT count(*) FROM console_sessions WHERE username = 'sato'")
            ).scalar_one()
        assert left == 0
    finally:
        await other.close()


async def test_logout_deletes_the_server_side_session(
    client: TestClient, login, make_user, store: TicketStore
) -> None:
    make_user("sato", Role.COORDINATOR)
    await login("sato")
    sid = _session_id(client)
    token = await page_token(client)
    await client.post("/logout", data={"csrf_token": token})
    with store.engine.connect() as conn:
        hashes = conn.execute(text("SELECT id_hash FROM console_sessions")).scalars().all()
    assert hashlib.sha256(sid.encode()).hexdigest() not in hashes
    # Replaying the old cookie does not bring the session back.
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: sid})
    assert (await client.get("/", allow_redirects=False)).status == 303


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_idle_and_absolute_expiry(
    aiohttp_client, settings: Settings, store: TicketStore, make_user
) -> None:
    clock = FakeClock()
    settings = replace(settings, console_session_idle_minutes=30, console_session_max_hours=8)
    client = await aiohttp_client(create_app(settings, store, session_clock=clock))
    make_user("sato", Role.COORDINATOR)
    await _login_other(client, "sato")

    clock.now += 31 * 60
    assert (await client.get("/", allow_redirects=False)).status == 303, "idle for 31 minutes"

    await _login_other(client, "sato")
    for _ in range(8 * 3):  # busy all day, one request every 20 minutes
        clock.now += 20 * 60
        if (await client.get("/", allow_redirects=False)).status == 303:
            break
    assert clock.now - 31 * 60 - 1_800_000_000.0 <= 8 * 3600 + 20 * 60, "ends after 8 hours"


async def test_sessions_in_redis_end_everywhere_too(
    aiohttp_client,
    settings: Settings,
    store: TicketStore,
    make_user,
    redis_sessions: RedisSessionBackend,
) -> None:
    """Production keeps sessions in Redis (settings.redis_url); same behaviour, real Redis."""
    app = create_app(settings, store, session_backend=redis_sessions)
    client = await aiohttp_client(app)
    make_user("sato", Role.COORDINATOR)
    other = await _second_client(client)
    try:
        await _login_other(client, "sato")
        await _login_other(other, "sato")
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM console_sessions")).scalar_one() == 0
        key = hashlib.sha256(_session_id(other).encode()).hexdigest()
        assert await redis_sessions.load(key) is not None, "the session lives in Redis"
        response = await _change_password(client, PASSWORD)
        assert response.status == 303
        assert response.headers["Location"] == "/login"
        assert await redis_sessions.load(key) is None
        assert (await other.get("/", allow_redirects=False)).status == 303
    finally:
        await other.close()


# --- transport security ------------------------------------------------------------------------

HSTS = "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize(
    ("host", "forced", "secure"),
    [
        ("127.0.0.1", False, False),
        ("localhost", False, False),
        ("::1", False, False),
        ("0.0.0.0", False, True),
        ("console.city.example", False, True),
        ("127.0.0.1", True, True),
    ],
)
async def test_secure_cookie_and_hsts_outside_loopback(
    aiohttp_client, settings: Settings, store: TicketStore, host: str, forced: bool, secure: bool
) -> None:
    app = create_app(replace(settings, console_host=host, cookie_secure=forced), store)
    client = await aiohttp_client(app)
    response = await client.get("/login")
    cookie = response.headers["Set-Cookie"]
    assert ("; Secure" in cookie) is secure
    assert response.headers.get("Strict-Transport-Security") == (HSTS if secure else None)


# --- API tokens ---------------------------------------------------------------------------------


async def test_expired_api_token_gets_401(
    client: TestClient, make_user, store: TicketStore
) -> None:
    make_user("sato", Role.COORDINATOR)
    token = store.create_api_token("sato", days=1).token
    ok = await client.get("/api/tickets", headers={"Authorization": f"Bearer {token}"})
    assert ok.status == 200
    store._clock.current += timedelta(days=2)  # type: ignore[attr-defined]
    expired = await client.get("/api/tickets", headers={"Authorization": f"Bearer {token}"})
    assert expired.status == 401


async def test_admin_page_shows_token_expiry_and_last_use(
    client: TestClient, login, make_user, store: TicketStore
) -> None:
    make_user("admin", Role.ADMIN)
    make_user("sato", Role.COORDINATOR)
    used = store.create_api_token("sato", label="kintone", days=30)
    store.create_api_token("sato", label="spare")
    await client.get("/api/tickets", headers={"Authorization": f"Bearer {used.token}"})
    await login("admin")
    page = await (await client.get("/users")).text()
    assert "kintone" in page and "spare" in page
    assert "最終利用" in page and "有効期限" in page
    assert "未使用" in page
    assert used.token not in page


# --- per-sender review mark in the console ------------------------------------------------------


async def test_flagged_ticket_is_marked_in_the_queue_and_a_coordinator_clears_it(
    client: TestClient, login, make_user, store: TicketStore, make_ticket
) -> None:
    from bot.tickets import Submission

    make_user("sato", Role.COORDINATOR)
    first = make_ticket(urgency="今日中")
    sender = store.get(first.reference, store.get_user("sato")).conversation_id
    flagged = first
    for n in range(3):
        submission = Submission(  # the same sender hands over another intake
            idempotency_key=f"again:{n}",
            city=first.city,
            summary=first.summary,
            consent=first.consent,
            channel=first.channel,
            conversation_id=sender,
            categories=first.categories,
            window_ids=first.window_ids,
        )
        flagged = store.create_ticket(submission)
    assert flagged.needs_review
    await login("sato")
    queue = await (await client.get("/")).text()
    assert "要確認" in queue
    urgent = await (await client.get("/?priority=urgent")).text()
    assert flagged.reference not in urgent
    token = await page_token(client, f"/tickets/{flagged.reference}")
    response = await client.post(f"/tickets/{flagged.reference}/review", data={"csrf_token": token})
    assert response.status == 200
    assert "確認済みにしました" in await response.text()
    assert flagged.reference in await (await client.get("/?priority=urgent")).text()
