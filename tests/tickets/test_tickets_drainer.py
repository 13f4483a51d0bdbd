"""The outbox delivers by itself: a queued intake reaches staff without anyone running a command.

The end-to-end test runs two real drainer processes (``python -m bot.tickets.drainer``) against
the machine's PostgreSQL reached through a port that is closed at first ("the database is
down") and then forwarded to PostgreSQL ("it is back"): the ticket must appear exactly once,
within 30 seconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.settings import PROJECT_ROOT, Settings
from bot.tickets import Outbox, TicketStore, submit, upgrade_database
from bot.tickets.drainer import Backoff, Drainer, drainer_from_settings
from bot.tickets.schema import TicketRow
from tests.ports import free_port
from tests.services import TEST_POSTGRES_URL


def test_backoff_grows_is_capped_and_jittered() -> None:
    backoff = Backoff(base_seconds=1.0, max_seconds=30.0)
    rng = random.Random(8)
    for failures, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (6, 30.0), (60, 30.0)]:
        delays = {backoff.delay(failures, rng) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (failures, delays)
        assert len(delays) > 1, "jittered: drainers do not retry in step"


def test_the_drainer_backs_off_while_the_database_is_down_then_polls_again(
    tmp_path: Path, store: TicketStore, make_submission
) -> None:
    outbox = Outbox(tmp_path / "outbox")
    dead = TicketStore(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}")
    outbox.put(make_submission())
    drainer = Drainer(dead, outbox, poll_seconds=5.0, backoff=Backoff(1.0, 4.0))
    waits = [drainer.step() for _ in range(4)]
    for wait, ceiling in zip(waits, [1.0, 2.0, 4.0, 4.0], strict=True):
        assert ceiling / 2 <= wait <= ceiling
    assert len(outbox) == 1 and drainer.failures == 4
    drainer.store = store  # the database is back
    assert drainer.step() == 5.0
    assert len(outbox) == 0 and drainer.delivered == ["UBE-2026-000001"]
    dead.dispose()


@pytest.mark.parametrize(("threshold", "earlier", "marked"), [(1, 1, True), (5, 3, False)])
def test_an_intake_delivered_by_the_drainer_follows_the_configured_review_threshold(
    db_url: str, tmp_path: Path, make_submission, threshold: int, earlier: int, marked: bool
) -> None:
    """REVIEW_TICKETS_PER_DAY applies to queued intakes too: a flood sent while the database
    was down must not reach staff as "urgent", nor a city's higher limit be ignored."""
    settings = dataclasses.replace(
        Settings(),
        database_url=db_url,
        var_dir=tmp_path / "var",
        review_tickets_per_day=threshold,
    )
    drainer = drainer_from_settings(settings)
    try:
        for _ in range(earlier):
            assert not drainer.store.create_ticket(make_submission(sender="night")).needs_review
        queued = make_submission(sender="night", urgency="今日中")
        drainer.outbox.put(queued)
        drainer.step()
        assert len(drainer.outbox) == 0
        ticket = drainer.store.get_by_idempotency_key(queued.idempotency_key)
        assert ticket is not None and ticket.needs_review is marked
    finally:
        drainer.store.dispose()


# --- two real drainer processes, PostgreSQL down then back ---------------------------------


class Forwarder:
    """A TCP port that forwards to PostgreSQL once started: "bringing the database back"."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.server = socket.create_server(("127.0.0.1", port))
        self.server.settimeout(0.2)
        self.stopped = threading.Event()
        self.sockets: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.server.accept()
            except OSError:
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=2)
        self.server.close()
        for s in self.sockets:
            s.close()


@pytest.fixture
def migrated_pg_url(pg_url: str) -> str:
    upgrade_database(pg_url)
    return pg_url


def _ticket_keys(store: TicketStore) -> list[str]:
    with store.session() as session:
        return list(session.execute(select(TicketRow.idempotency_key)).scalars())


def _start_drainer(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.tickets.drainer"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _postgres_address() -> tuple[str, int]:
    """Where the test PostgreSQL listens (``TEST_POSTGRES_URL``): what the port forwards to."""
    url = make_url(TEST_POSTGRES_URL)
    return url.host or "127.0.0.1", url.port or 5432


@pytest.fixture
def drainer_env(tmp_path: Path, migrated_pg_url: str) -> Iterator[tuple[dict[str, str], int]]:
    """Drainer settings whose database is a local port nothing listens on yet."""
    port = free_port()
    down_url = make_url(migrated_pg_url).set(host="127.0.0.1", port=port)
    env = {
        **os.environ,
        "DATABASE_URL": down_url.render_as_string(hide_password=False),
        "INTAKE_VAR_DIR": str(tmp_path / "var"),
        "OUTBOX_POLL_SECONDS": "0.2",
        "OUTBOX_BACKOFF_BASE_SECONDS": "0.2",
        "OUTBOX_BACKOFF_MAX_SECONDS": "1",
    }
    yield env, port


@pytest.mark.postgres
def test_two_drainers_deliver_a_queued_intake_once_within_30_s_of_the_database_returning(
    tmp_path: Path, migrated_pg_url: str, drainer_env, make_submission
) -> None:
    env, port = drainer_env
    outbox = Outbox(tmp_path / "var" / "outbox")
    down = TicketStore(env["DATABASE_URL"])
    submissions = [make_submission(sender=f"night-{n}", crisis=(n == 0)) for n in range(6)]
    for submission in submissions:
        assert submit(submission, down, outbox).status == "queued"
    down.dispose()

    logs = [tmp_path / "drainer-a.log", tmp_path / "drainer-b.log"]
    drainers = [_start_drainer(env, path) for path in logs]
    forwarder = None
    up = TicketStore(migrated_pg_url)
    try:
        deadline = time.monotonic() + 30
        while not all("unavailable" in p.read_text() for p in logs):
            assert time.monotonic() < deadline, "the drainers never tried the closed port"
            time.sleep(0.2)
        assert _ticket_keys(up) == [] and len(outbox) == len(submissions)

        forwarder = Forwarder(port, _postgres_address())  # the database is back
        back_at = time.monotonic()
        while len(outbox) or len(_ticket_keys(up)) < len(submissions):
            assert time.monotonic() - back_at < 30, "not delivered within 30 s"
            assert all(d.poll() is None for d in drainers), "a drainer died"
            time.sleep(0.2)
        time.sleep(1.0)  # give a double delivery the chance to show
        keys = _ticket_keys(up)
        assert sorted(keys) == sorted(s.idempotency_key for s in submissions)
        assert outbox.counts().failed == 0
    finally:
        for drainer in drainers:
            drainer.send_signal(signal.SIGTERM)
        codes = [drainer.wait(timeout=15) for drainer in drainers]
        up.dispose()
        if forwarder:
            forwarder.close()
    assert codes == [0, 0], "SIGTERM stops a drainer cleanly"
    text = "".join(p.read_text() for p in logs)
    assert "delivered" in text
    for personal in ("090-1234-5678", "山田", "家賃", "night-"):
        assert personal not in text, "drainer logs carry counts, never personal data"
