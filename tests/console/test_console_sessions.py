"""Server-side sessions stay ended: a request that was already running when the session ended
(logout, password change, disable) must not write the record back when it finishes.

Browsers send several requests at once (a page, its poll, a second tab). One that loaded the
session before logout and saves it afterwards — moving the idle deadline on, or adding a flash
message or a CSRF token — used to recreate the deleted record, logging the old cookie back in.
Checked on SQLite, PostgreSQL and Redis, all real.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from aiohttp_session import get_session
from console_helpers import PASSWORD, csrf_of, page_token

from bot.console import create_app
from bot.console.app import SESSION_COOKIE
from bot.console.flash import flash
from bot.console.sessions import (
    DatabaseSessionBackend,
    RedisSessionBackend,
    SessionBackend,
    SessionRecord,
)
from bot.settings import Settings
from bot.tickets import Role, TicketStore

BACKENDS = ["sqlite", "postgresql", "redis"]


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend_name: str, request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if backend_name == "postgresql":
        yield str(request.getfixturevalue("pg_url"))
    else:
        yield f"sqlite:///{tmp_path / 'tickets.sqlite3'}"


@pytest.fixture
def backend(
    backend_name: str, store: TicketStore, request: pytest.FixtureRequest
) -> SessionBackend:
    if backend_name == "redis":
        redis_backend: RedisSessionBackend = request.getfixturevalue("redis_sessions")
        return redis_backend
    return DatabaseSessionBackend(store)


class Gate:
    """A page that loads the session, waits until the test lets it go, then changes it."""

    def __init__(self) -> None:
        self.loaded = asyncio.Event()
        self.release = asyncio.Event()

    async def page(self, request: web.Request) -> web.StreamResponse:
        await get_session(request)
        self.loaded.set()
        await self.release.wait()
        await flash(request, "後から届いた応答")  # the session changed: it is saved
        return web.Response(text="done")

    def setup(self, app: web.Application) -> None:
        app.router.add_get("/slow", self.page)


def _session_id(client: TestClient) -> str:
    return client.session.cookie_jar.filter_cookies(client.make_url("/"))[SESSION_COOKIE].value


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def _login(client: TestClient, username: str) -> None:
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(await page.text())},
        allow_redirects=False,
    )
    assert response.status == 303


async def test_a_request_running_across_logout_does_not_bring_the_session_back(
    aiohttp_client, settings: Settings, store: TicketStore, backend: SessionBackend, make_user
) -> None:
    gate = Gate()
    app = create_app(settings, store, plugins=[gate.setup], session_backend=backend)
    client: TestClient = await aiohttp_client(app)
    make_user("sato", Role.COORDINATOR)
    await _login(client, "sato")
    old = _session_id(client)

    slow = asyncio.ensure_future(client.get("/slow"))
    await gate.loaded.wait()  # it holds the logged-in session now
    token = await page_token(client)
    logout = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert logout.status == 303
    assert await backend.load(_key(old)) is None
    gate.release.set()
    assert (await slow).status == 200

    assert await backend.load(_key(old)) is None, "the finished request wrote the record back"
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: old})
    assert (await client.get("/", allow_redirects=False)).status == 303, "old cookie logged in"


async def test_an_idle_refresh_after_the_record_is_gone_writes_nothing(
    backend: SessionBackend,
) -> None:
    """The backend itself: updating a record that no longer exists is refused, not an insert."""
    record = SessionRecord(
        data={"username": "sato"},
        username="sato",
        created_at=1_800_000_000.0,
        last_seen_at=1_800_000_000.0,
        expires_at=4_000_000_000.0,
    )
    key = _key("a-session-that-was-deleted")
    await backend.create(key, record)
    assert await backend.update(key, record)
    await backend.delete(key)
    assert not await backend.update(key, record)
    assert await backend.load(key) is None
    await backend.close()
