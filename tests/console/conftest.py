"""Fixtures for the staff console: a migrated SQLite store, the app, users and tickets.

Tickets are created through the store with real ``Submission`` objects and real window ids
from ``data/cities`` (宇部市 and 久留米市), so scoping is exercised the way production sees it.
``pg_url`` gives a fresh PostgreSQL schema (as in tests/tickets) for the modules that run on
both backends; PostgreSQL being unreachable fails those tests rather than skipping them.
``redis_sessions`` keeps console sessions in the real Redis under a prefix of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import redis
from aiohttp import web
from aiohttp.test_utils import TestClient
from console_helpers import KURUME, PASSWORD, SEIKATSU, csrf_of

from bot.console import create_app
from bot.console.sessions import RedisSessionBackend
from bot.console.throttle import LoginThrottle
from bot.settings import PROJECT_ROOT, Settings
from bot.tickets import (
    AboutWhom,
    Channel,
    Consent,
    ContactMethod,
    IntakeSummary,
    ResidentMessage,
    Role,
    Submission,
    Ticket,
    TicketStore,
    Urgency,
    User,
    upgrade_database,
)
from tests.services import TEST_REDIS_URL as REDIS_URL
from tests.services import require_redis


class Clock:
    """Each reading is one minute after the previous one: creation order = age order."""

    def __init__(self) -> None:
        self.current = datetime(2026, 3, 10, 0, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.current += timedelta(minutes=1)
        return self.current


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite by default; modules that also run on PostgreSQL override this fixture."""
    return f"sqlite:///{tmp_path / 'tickets.sqlite3'}"


@pytest.fixture
def store(db_url: str) -> Iterator[TicketStore]:
    upgrade_database(db_url)  # migrations, exactly as the console does at start-up
    ticket_store = TicketStore(db_url, clock=Clock())
    yield ticket_store
    ticket_store.dispose()


@pytest.fixture
def redis_sessions() -> Iterator[RedisSessionBackend]:
    """Console sessions in the real Redis, under a prefix of this test's own, removed after.

    Pass it to ``create_app(session_backend=...)``; the app closes it on shutdown.
    """
    require_redis()
    prefix = f"intake-test:{uuid.uuid4().hex[:12]}:console:"
    yield RedisSessionBackend(REDIS_URL, prefix=prefix)
    cleanup = redis.Redis.from_url(REDIS_URL, socket_timeout=3, socket_connect_timeout=3)
    try:
        keys = list(cleanup.scan_iter(match=f"{prefix}*"))
        if keys:
            cleanup.delete(*keys)
    finally:
        cleanup.close()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        var_dir=tmp_path,
        database_url=db_url,
        data_dir=PROJECT_ROOT / "data",
        cookie_secure=False,
    )


@pytest.fixture
def throttle() -> LoginThrottle:
    return LoginThrottle()


@pytest.fixture
def app(settings: Settings, store: TicketStore, throttle: LoginThrottle) -> web.Application:
    return create_app(settings, store, throttle=throttle)


@pytest.fixture
async def client(aiohttp_client: Any, app: web.Application) -> TestClient:
    return await aiohttp_client(app)


UserFactory = Callable[..., User]


@pytest.fixture
def make_user(store: TicketStore) -> UserFactory:
    def build(
        username: str,
        role: Role | str = Role.STAFF,
        city: str = "ube",
        window: str | None = None,
    ) -> User:
        if Role(role) is Role.STAFF and window is None:
            window = SEIKATSU if city == "ube" else KURUME
        return store.create_user(username, PASSWORD, role=role, city=city, window_id=window)

    return build


TicketFactory = Callable[..., Ticket]


@pytest.fixture
def make_ticket(store: TicketStore) -> TicketFactory:
    """Create a ticket through the store from a complete, consented submission."""
    counter = iter(range(1, 10_000))

    def build(
        city: str = "ube",
        windows: tuple[str, ...] = (SEIKATSU,),
        categories: tuple[str, ...] = ("housing",),
        urgency: str | None = "急がない",
        crisis: bool = False,
        support_meeting: bool = True,
        messages: tuple[str, ...] = ("家賃を3か月滞納しています",),
        contact_value: str = "090-1234-5678",
        safe_contact: str | None = None,
        crisis_kind: str | None = None,
    ) -> Ticket:
        n = next(counter)
        at = datetime(2026, 3, 9, 23, 50, tzinfo=timezone.utc)
        submission = Submission(
            idempotency_key=f"sender-{n}:1",
            city=city,
            categories=categories,
            window_ids=windows,
            crisis=crisis,
            crisis_kind=crisis_kind,
            channel=Channel.WEB,
            conversation_id=f"sender-{n}",
            summary=IntakeSummary(
                worry_text_summary="家賃が払えず困っている",
                about_whom=AboutWhom.SELF,
                age_band="40代",
                household="単身",
                urgency=Urgency(urgency) if urgency else None,
                contact_method=ContactMethod.PHONE,
                contact_value=contact_value,
                display_name="山田",
                safe_contact=safe_contact,
            ),
            consent=Consent(
                shared_items=("summary", "contact", "messages"),
                window_ids=windows,
                given_at=at,
                support_meeting=support_meeting,
            ),
            messages=tuple(
                ResidentMessage(text=t, at=at + timedelta(seconds=i))
                for i, t in enumerate(messages)
            ),
        )
        return store.create_ticket(submission)

    return build


LoginFn = Callable[..., Awaitable[Any]]


@pytest.fixture
def login(client: TestClient) -> LoginFn:
    """Log in through the real form (GET for the token, then POST)."""

    async def do(username: str, password: str = PASSWORD) -> Any:
        page = await client.get("/login")
        token = csrf_of(await page.text())
        return await client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            allow_redirects=False,
        )

    return do
