"""PostgreSQL crashing mid-load and coming back: every consented intake becomes one ticket.

The path is production's: each intake goes through ``bot.tickets.submit`` (what the action
server's ``action_submit_intake`` runs, in its thread pool, with one store per process) and
queued ones are delivered by two real drainer processes (``python -m bot.tickets.drainer``).
The database is a PostgreSQL cluster of the test's own (``faults_postgres``), killed with
``pg_ctl -m immediate`` while intakes are in flight, kept down while more arrive, then started
again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from bot.settings import PROJECT_ROOT
from bot.tickets import (
    AboutWhom,
    Channel,
    Consent,
    ContactMethod,
    IntakeSummary,
    Outbox,
    ResidentMessage,
    Submission,
    TicketStore,
    Urgency,
    submit,
    upgrade_database,
)
from bot.tickets.domain import SubmissionResult
from bot.tickets.schema import TicketRow

if TYPE_CHECKING:
    from tests.faults.conftest import OwnPostgres

pytestmark = pytest.mark.postgres

INTAKES = 48
SPACING_SECONDS = 0.08  # one intake every 80 ms: about 4 s of load in all
WORKERS = 8  # the action server runs submissions in a thread pool too
DOWN_AFTER = 12  # intakes submitted before the crash (some still in flight when it hits)
UP_AFTER = 34  # the database is back after this many


def _intake(n: int) -> Submission:
    at = datetime(2026, 3, 9, 23, 50, tzinfo=timezone.utc)
    city = ("ube", "kurume", "yame")[n % 3]
    window = (f"{city}.seikatsu_support",)
    return Submission(
        idempotency_key=f"intake:{uuid.uuid4()}",
        city=city,
        categories=("生活困窮",),
        window_ids=window,
        crisis=n % 7 == 0,
        channel=Channel.LINE if n % 2 else Channel.WEB,
        conversation_id=f"resident-{n}-{uuid.uuid4().hex[:8]}",
        summary=IntakeSummary(
            worry_text_summary="家賃が払えず困っている",
            about_whom=AboutWhom.SELF,
            age_band="40代",
            household="単身",
            urgency=Urgency("急がない"),
            contact_method=ContactMethod.PHONE,
            contact_value="090-1234-5678",
            display_name="山田",
        ),
        consent=Consent(
            shared_items=("summary", "contact", "messages"),
            window_ids=window,
            given_at=at,
            support_meeting=True,
        ),
        messages=(ResidentMessage(text="家賃を3か月滞納しています", at=at + timedelta(seconds=n)),),
    )


def _drainer(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.tickets.drainer"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


def _ticket_keys(store: TicketStore) -> Counter[str]:
    with store.session() as session:
        return Counter(session.execute(select(TicketRow.idempotency_key)).scalars())


def test_every_intake_lands_once_when_postgres_crashes_mid_load_and_returns(
    tmp_path: Path, faults_postgres: OwnPostgres
) -> None:
    """48 intakes arrive ~80 ms apart from 8 threads; PostgreSQL is killed right after a burst
    of 8 (intakes in flight), stays down for the next 22, then comes back. No resident is told the
    intake failed, and within 30 s of the return every intake is exactly one ticket: none
    lost, none doubled (an intake whose commit was cut off is delivered again with its key),
    nothing left in the outbox or set aside in ``failed/``."""
    url = faults_postgres.url
    upgrade_database(url)
    var_dir = tmp_path / "var"
    outbox = Outbox(var_dir / "outbox")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "INTAKE_VAR_DIR": str(var_dir),
        "OUTBOX_POLL_SECONDS": "0.2",
        "OUTBOX_BACKOFF_BASE_SECONDS": "0.2",
        "OUTBOX_BACKOFF_MAX_SECONDS": "1",
    }
    drainers = [_drainer(env, tmp_path / f"drainer-{n}.log") for n in range(2)]
    store = TicketStore(url)  # the action server's one store: its pool lives through the crash
    intakes = [_intake(n) for n in range(INTAKES)]
    results: list[Future[SubmissionResult]] = []
    timeline: list[tuple[str, int]] = []
    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            for n, intake in enumerate(intakes):
                if n == DOWN_AFTER:
                    crash = threading.Thread(target=faults_postgres.stop)
                    crash.start()  # while the last few are still in flight
                    timeline.append(("down", n))
                if n == UP_AFTER:
                    crash.join()
                    faults_postgres.start()
                    timeline.append(("up", n))
                results.append(pool.submit(submit, intake, store, outbox))
                if not DOWN_AFTER - WORKERS <= n < DOWN_AFTER - 1:
                    time.sleep(SPACING_SECONDS)  # ... but a burst that the crash cuts into
        statuses = Counter(result.result().status for result in results)
        assert statuses["queued"] > 0 and statuses["created"] > DOWN_AFTER, statuses
        assert set(statuses) <= {"created", "queued"}, statuses  # nobody told "not saved"

        deadline = time.monotonic() + 30
        while True:
            keys = _ticket_keys(store) if faults_postgres.running() else Counter()
            if len(keys) >= INTAKES and len(outbox) == 0:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.3)
        wanted = Counter(intake.idempotency_key for intake in intakes)
        assert keys == wanted, (
            f"missing {len(wanted - keys)}, doubled {sum((keys - wanted).values())}, "
            f"outbox {len(outbox)}, failed {outbox.counts().failed}, {statuses}"
        )
        assert len(outbox) == 0 and outbox.counts().failed == 0
        with store.session() as session:  # numbers per city stay gapless and unique
            for city in ("ube", "kurume", "yame"):
                refs = session.execute(
                    select(func.count(), func.count(func.distinct(TicketRow.reference))).where(
                        TicketRow.city == city
                    )
                ).one()
                assert refs[0] == refs[1] == sum(1 for i in intakes if i.city == city)
    finally:
        for process in drainers:
            process.terminate()
        for process in drainers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        store.dispose()
