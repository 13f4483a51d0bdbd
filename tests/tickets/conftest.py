"""Fixtures: every ticket test runs on SQLite *and* on the machine's PostgreSQL.

Each PostgreSQL test gets its own freshly created schema (``search_path`` set through the
connection options), migrated from empty and dropped afterwards, so runs never see each other
or anything else living in the ``test`` database (e.g. a Rasa tracker store).

PostgreSQL being unreachable is a test *failure*, not a skip: a green run must mean both
backends were exercised. Deselect with ``-m "not postgres"`` when working offline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest

from bot.tickets import (
    AboutWhom,
    Channel,
    Consent,
    ContactMethod,
    IntakeSummary,
    ResidentMessage,
    Role,
    Submission,
    TicketStore,
    Urgency,
    User,
    upgrade_database,
)

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """An empty database of each backend (not migrated)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tickets.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """A database of each backend, migrated to head the way production does it."""
    upgrade_database(empty_db_url)
    return empty_db_url


class Clock:
    """Deterministic time: each reading is one second after the previous one."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 10, 0, 0, tzinfo=timezone.utc))


@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[TicketStore]:
    ticket_store = TicketStore(db_url, clock=clock)
    yield ticket_store
    ticket_store.dispose()


SubmissionFactory = Callable[..., Submission]


@pytest.fixture
def make_submission() -> SubmissionFactory:
    """Build a valid submission; keyword arguments override the defaults.

    ``key`` is the intake's idempotency key, by default a fresh ``intake:<uuid>`` like the bot's
    (one per intake, see ``bot.intake.summary``). ``sender`` is the conversation (LINE user,
    web chat) the intake came from: review counting is per sender, so tests that mean "the
    same resident again" pass the same ``sender``; by default every call is a new sender, so
    no test is marked for review by accident.
    """

    def build(
        key: str | None = None,
        sender: str | None = None,
        city: str = "ube",
        windows: tuple[str, ...] = ("ube.seikatsu_support",),
        categories: tuple[str, ...] = ("生活困窮",),
        crisis: bool = False,
        urgency: str | None = "急がない",
        support_meeting: bool = True,
        contact_value: str = "090-1234-5678",
    ) -> Submission:
        at = datetime(2026, 3, 9, 23, 50, tzinfo=timezone.utc)
        return Submission(
            idempotency_key=key or f"intake:{uuid4()}",
            city=city,
            categories=categories,
            window_ids=windows,
            crisis=crisis,
            channel=Channel.WEB,
            conversation_id=sender or f"web-{uuid4().hex}",
            summary=IntakeSummary(
                worry_text_summary="家賃が払えず困っている",
                about_whom=AboutWhom.SELF,
                age_band="40代",
                household="単身",
                urgency=Urgency(urgency) if urgency else None,
                contact_method=ContactMethod.PHONE,
                contact_value=contact_value,
                display_name="山田",
            ),
            consent=Consent(
                shared_items=("summary", "contact", "messages"),
                window_ids=windows,
                given_at=at,
                support_meeting=support_meeting,
            ),
            messages=(
                ResidentMessage(text="家賃を3か月滞納しています", at=at),
                ResidentMessage(text="仕事も見つからなくて", at=at + timedelta(seconds=30)),
            ),
        )

    return build


UserFactory = Callable[..., User]


@pytest.fixture
def make_user(store: TicketStore) -> UserFactory:
    def build(
        username: str, role: Role | str = Role.STAFF, city: str = "ube", window: str | None = None
    ) -> User:
        if Role(role) is Role.STAFF and window is None:
            window = f"{city}.seikatsu_support"
        return store.create_user(username, PASSWORD, role=role, city=city, window_id=window)

    return build
