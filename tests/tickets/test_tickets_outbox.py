"""A consented intake survives a dead database: queued durably, delivered exactly once."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from bot.tickets import Outbox, Role, TicketStore, flush_outbox, submit


@pytest.fixture(
    params=[
        "sqlite-missing-dir",
        pytest.param("postgresql-closed-port", marks=pytest.mark.postgres),
    ]
)
def dead_store(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite-missing-dir":
        url = f"sqlite:///{tmp_path / 'no-such-dir' / 'tickets.sqlite3'}"
    else:
        url = "postgresql+psycopg2://postgres@127.0.0.1:1/none"
    dead = TicketStore(url)
    yield dead
    dead.dispose()


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "var" / "outbox")


def test_unreachable_store_queues_then_flush_delivers_exactly_once(
    dead_store: TicketStore, store: TicketStore, outbox: Outbox, make_submission, make_user
) -> None:
    submission = make_submission(key="sender-9:1")
    result = submit(submission, dead_store, outbox)
    assert (result.status, result.reference, result.created) == ("queued", None, False)
    assert len(outbox) == 1
    # Queuing the same submission again (bot retry) does not make a second entry.
    assert submit(submission, dead_store, outbox).status == "queued"
    assert len(outbox) == 1

    # Still down: flushing keeps the entry.
    still_down = flush_outbox(dead_store, outbox)
    assert still_down.unavailable and still_down.delivered == [] and len(outbox) == 1

    report = flush_outbox(store, outbox)
    assert report.delivered == ["UBE-2026-000001"] and report.remaining == 0
    assert len(outbox) == 0
    coordinator = make_user("coord", Role.COORDINATOR)
    assert store.count(coordinator) == 1
    delivered = store.get("UBE-2026-000001", coordinator)
    assert delivered is not None and delivered.summary == submission.summary

    assert flush_outbox(store, outbox).delivered == []
    assert store.count(coordinator) == 1


def test_entry_already_delivered_by_another_path_is_not_duplicated(
    dead_store: TicketStore, store: TicketStore, outbox: Outbox, make_submission
) -> None:
    submission = make_submission(key="sender-9:1")
    submit(submission, dead_store, outbox)
    created = submit(submission, store, outbox)  # the DB came back; the bot retried
    assert created.status == "created" and created.reference == "UBE-2026-000001"
    assert len(outbox) == 0, "a successful submit flushes older entries"
    ticket = store.get_by_idempotency_key("sender-9:1")
    assert ticket is not None and ticket.reference == "UBE-2026-000001"


def test_outbox_file_is_private_and_complete(
    dead_store: TicketStore, outbox: Outbox, make_submission
) -> None:
    submission = make_submission()
    submit(submission, dead_store, outbox)
    (path,) = outbox.directory.glob("*.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox.directory.stat().st_mode) == 0o700
    assert "sender-1" not in path.name, "file names must not reveal the conversation"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["submission"] == submission.to_dict()
    assert not list(outbox.directory.glob(".tmp-*")), "no temp file left behind"


def test_unreadable_entry_is_set_aside_without_blocking_others(
    store: TicketStore, outbox: Outbox, make_submission
) -> None:
    outbox.put(make_submission(key="good:1"))
    (outbox.directory / "broken.json").write_text("{not json", encoding="utf-8")
    report = flush_outbox(store, outbox)
    assert report.failed == 1 and len(report.delivered) == 1 and len(outbox) == 0
    assert (outbox.directory / "failed" / "broken.json").exists()


def test_created_result_carries_the_reference(
    store: TicketStore, outbox: Outbox, make_submission
) -> None:
    result = submit(make_submission(), store, outbox)
    assert (result.status, result.reference, result.created) == ("created", "UBE-2026-000001", True)
