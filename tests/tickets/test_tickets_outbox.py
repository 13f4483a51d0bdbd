"""A consented intake survives a dead database: queued durably, delivered exactly once."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError

import bot.tickets.outbox as outbox_module
from bot.tickets import Outbox, Role, TicketStore, drain_once, submit, upgrade_database
from tests.services import TEST_POSTGRES_URL


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
        # The test PostgreSQL's URL on a port nothing listens on: "the database is down".
        url = make_url(TEST_POSTGRES_URL).set(port=1).render_as_string(hide_password=False)
    dead = TicketStore(url)
    yield dead
    dead.dispose()


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "var" / "outbox")


def test_unreachable_store_queues_then_a_drain_delivers_exactly_once(
    dead_store: TicketStore, store: TicketStore, outbox: Outbox, make_submission, make_user
) -> None:
    submission = make_submission()
    result = submit(submission, dead_store, outbox)
    assert (result.status, result.reference, result.created) == ("queued", None, False)
    assert len(outbox) == 1
    # Queuing the same submission again (bot retry) does not make a second entry.
    assert submit(submission, dead_store, outbox).status == "queued"
    assert len(outbox) == 1

    # Still down: draining keeps the entry.
    still_down = drain_once(dead_store, outbox)
    assert still_down.unavailable and still_down.delivered == [] and len(outbox) == 1

    report = drain_once(store, outbox)
    assert report.delivered == ["UBE-2026-000001"] and report.remaining == 0
    assert len(outbox) == 0
    coordinator = make_user("coord", Role.COORDINATOR)
    assert store.count(coordinator) == 1
    delivered = store.get("UBE-2026-000001", coordinator)
    assert delivered is not None and delivered.summary == submission.summary

    assert drain_once(store, outbox).delivered == []
    assert store.count(coordinator) == 1


def test_entry_already_delivered_by_another_path_is_not_duplicated(
    dead_store: TicketStore, store: TicketStore, outbox: Outbox, make_submission
) -> None:
    submission = make_submission(key="intake:night")
    submit(submission, dead_store, outbox)
    created = submit(submission, store, outbox)  # the DB came back; the bot retried
    assert created.status == "created" and created.reference == "UBE-2026-000001"
    report = drain_once(store, outbox)  # the queued copy is delivered later: same ticket
    assert report.delivered == ["UBE-2026-000001"] and len(outbox) == 0
    ticket = store.get_by_idempotency_key("intake:night")
    assert ticket is not None and ticket.reference == "UBE-2026-000001"
    coordinator = store.create_user("coord", "long-password-123", Role.COORDINATOR, "ube")
    assert store.count(coordinator) == 1


def test_outbox_file_is_private_and_complete(
    dead_store: TicketStore, outbox: Outbox, make_submission
) -> None:
    submission = make_submission(key="intake:private", sender="U-line-user-1")
    submit(submission, dead_store, outbox)
    (path,) = outbox.directory.glob("*.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox.directory.stat().st_mode) == 0o700
    for revealing in ("U-line-user-1", "private"):
        assert revealing not in path.name, "file names must not reveal the conversation"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["submission"] == submission.to_dict()
    assert not list(outbox.directory.glob(".tmp-*")), "no temp file left behind"
    assert path.name.startswith("ube."), "the city is in the name: counted without reading"


def test_unreadable_entry_is_set_aside_without_blocking_others(
    store: TicketStore, outbox: Outbox, make_submission
) -> None:
    outbox.put(make_submission())
    (outbox.directory / "broken.json").write_text("{not json", encoding="utf-8")
    report = drain_once(store, outbox)
    assert report.failed == 1 and len(report.delivered) == 1 and len(outbox) == 0
    assert (outbox.directory / "failed" / "broken.json").exists()


def test_created_result_carries_the_reference(
    store: TicketStore, outbox: Outbox, make_submission
) -> None:
    result = submit(make_submission(), store, outbox)
    assert (result.status, result.reference, result.created) == ("created", "UBE-2026-000001", True)


# --- concurrency: writers and drainers never lose or double an entry -----------------------


def test_a_drain_during_a_write_never_sees_the_half_written_file(
    store: TicketStore, outbox: Outbox, make_submission, monkeypatch
) -> None:
    """The temp file must not match the drain's pattern, or a drainer delivers and deletes it
    under the writer, whose rename then fails: the resident is told "not saved" for nothing."""
    seen: list[object] = []
    real_fsync = outbox_module.os.fsync

    def fsync_with_a_drain_in_between(fd: int) -> None:
        real_fsync(fd)
        if not seen:  # the first fsync is the temp file's, before its rename
            seen.append(drain_once(store, outbox))

    monkeypatch.setattr(outbox_module.os, "fsync", fsync_with_a_drain_in_between)
    path = outbox.put(make_submission())
    monkeypatch.undo()
    assert seen[0].delivered == [] and seen[0].failed == 0  # type: ignore[attr-defined]
    assert path.exists() and len(outbox) == 1
    assert drain_once(store, outbox).delivered == ["UBE-2026-000001"]


def test_an_entry_claimed_by_one_drainer_is_skipped_by_another(
    outbox: Outbox, make_submission
) -> None:
    path = outbox.put(make_submission())
    with outbox.claim(path) as first:
        assert first is not None and not isinstance(first, outbox_module.Unreadable)
        with outbox.claim(path) as second:
            assert second is None
    with outbox.claim(path) as after_release:
        assert after_release is not None


def test_two_drainers_deliver_every_entry_exactly_once(
    store: TicketStore, outbox: Outbox, make_submission
) -> None:
    count = 24
    for _ in range(count):
        outbox.put(make_submission())
    barrier = threading.Barrier(2)
    reports: list[list[str]] = [[], []]
    errors: list[BaseException] = []

    def drain(slot: int) -> None:
        try:
            barrier.wait()
            for _ in range(3):
                reports[slot].extend(drain_once(store, outbox).delivered)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    delivered = reports[0] + reports[1]
    assert len(delivered) == count, "each entry delivered by exactly one drainer"
    assert len(set(delivered)) == count
    assert len(outbox) == 0 and outbox.counts().failed == 0


def _requeue_when_armed(monkeypatch, outbox: Outbox, submission) -> list[bool]:
    """Make a writer re-queue ``submission`` right after the drainer's next look at an entry's
    inode, once armed: the moment between "is this still my file?" and acting on the name."""
    real_inode = Outbox._inode
    armed: list[bool] = []

    def inode_then_requeue(path: Path) -> int | None:
        found = real_inode(path)
        if armed:
            armed.clear()
            outbox.put(submission)
        return found

    monkeypatch.setattr(Outbox, "_inode", staticmethod(inode_then_requeue))
    return armed


def test_a_copy_requeued_while_the_delivered_entry_is_removed_stays_waiting(
    store: TicketStore, outbox: Outbox, make_submission, monkeypatch
) -> None:
    """The drainer deletes the file it delivered, never a copy the bot re-queued meanwhile."""
    submission = make_submission()
    path = outbox.put(submission)
    armed = _requeue_when_armed(monkeypatch, outbox, submission)
    with outbox.claim(path) as claimed:
        assert isinstance(claimed, outbox_module.OutboxEntry)
        reference = store.create_ticket(claimed.submission).reference
        armed.append(True)
        outbox.remove(claimed)
    monkeypatch.undo()
    assert len(outbox) == 1, "the re-queued copy is still waiting"
    assert drain_once(store, outbox).delivered == [reference], "and is the same ticket"
    assert len(outbox) == 0


def test_a_copy_requeued_while_an_entry_is_set_aside_stays_waiting(
    outbox: Outbox, make_submission, monkeypatch
) -> None:
    """Quarantine moves the file that failed, not a fresh copy written under its name."""
    submission = make_submission()
    path = outbox.put(submission)
    path.write_text("{not json", encoding="utf-8")  # same file, now unreadable
    armed = _requeue_when_armed(monkeypatch, outbox, submission)
    with outbox.claim(path) as claimed:
        assert isinstance(claimed, outbox_module.Unreadable)
        armed.append(True)
        outbox.quarantine(claimed)
    monkeypatch.undo()
    assert outbox.counts() == outbox_module.OutboxCounts(1, 1, outbox.counts().oldest_waiting)
    (failed,) = outbox.failed_directory.glob("*.json")
    assert failed.read_text(encoding="utf-8") == "{not json"
    (waiting,) = outbox.waiting_paths()
    assert json.loads(waiting.read_text(encoding="utf-8"))["submission"] == submission.to_dict()


def test_an_existing_wider_outbox_directory_is_tightened_to_0700(
    outbox: Outbox, make_submission
) -> None:
    """mkdir's mode only applies to a new directory; one made 0755 by hand must not stay so."""
    outbox.failed_directory.mkdir(parents=True)
    for directory in (outbox.directory, outbox.failed_directory):
        os.chmod(directory, 0o755)
    outbox.put(make_submission())
    assert stat.S_IMODE(outbox.directory.stat().st_mode) == 0o700
    outbox.put_failed(make_submission())
    assert stat.S_IMODE(outbox.failed_directory.stat().st_mode) == 0o700


# --- only transient errors queue: a refused entry is quarantined, the queue moves on -------


@pytest.fixture
def pg_store(pg_url: str):
    upgrade_database(pg_url)
    pg = TicketStore(pg_url)
    yield pg
    pg.dispose()


def _too_long_for_the_database(make_submission):
    """PostgreSQL refuses an age band longer than its column: a DataError, i.e. our bug."""
    submission = make_submission()
    summary = dataclasses.replace(submission.summary, age_band="四十代" * 20)
    return dataclasses.replace(submission, summary=summary)


@pytest.mark.postgres
def test_an_entry_the_database_refuses_is_quarantined_and_the_rest_delivered(
    pg_store: TicketStore, outbox: Outbox, make_submission
) -> None:
    bad = _too_long_for_the_database(make_submission)
    with pytest.raises(DataError):
        pg_store.create_ticket(bad)
    outbox.put(bad)
    outbox.put(make_submission())
    report = drain_once(pg_store, outbox)
    assert not report.unavailable, "a DataError is not 'the database is down'"
    assert report.failed == 1 and report.delivered == ["UBE-2026-000001"]
    assert len(outbox) == 0 and outbox.counts() == outbox_module.OutboxCounts(0, 1)


@pytest.mark.postgres
def test_a_refused_submission_is_kept_as_failed_not_queued_forever(
    pg_store: TicketStore, outbox: Outbox, make_submission
) -> None:
    result = submit(_too_long_for_the_database(make_submission), pg_store, outbox)
    assert result.status == "failed" and not result.created
    assert outbox.counts().waiting == 0 and outbox.counts().failed == 1
    # Once the bug is fixed, staff put it back in the queue and it is delivered.
    assert outbox.requeue_failed() == 1
    assert outbox.counts().waiting == 1 and outbox.counts().failed == 0


def test_counts_are_per_city_and_include_failed(outbox: Outbox, make_submission) -> None:
    outbox.put(make_submission())
    outbox.put(make_submission())
    outbox.put(make_submission(city="kurume", windows=("kurume.takikan_kyodo",)))
    outbox.put_failed(make_submission())
    (outbox.directory / ".tmp-abc.partial").write_text("{", encoding="utf-8")
    ube = outbox.counts("ube")
    assert (ube.waiting, ube.failed) == (2, 1) and ube.oldest_waiting is not None
    assert (outbox.counts("kurume").waiting, outbox.counts("kurume").failed) == (1, 0)
    assert outbox.counts().waiting == 3
    assert Outbox(outbox.directory / "nothing-yet").counts() == outbox_module.OutboxCounts(0, 0)
