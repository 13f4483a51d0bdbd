"""Durable local outbox: no consented intake is lost when the ticket database is down.

Layout: one JSON file per pending submission under ``var/outbox/``, named by the SHA-256 of
its idempotency key. One file per entry (rather than one JSON-lines file) because each entry is
then written atomically on its own (temp file + fsync + rename + directory fsync), several
action-server processes can enqueue without a shared lock, and removing a delivered entry is a
single unlink instead of rewriting the file. Queuing the same key twice overwrites the same
file, and delivery reuses the key, so retries never create a second ticket.

Files contain the resident's data: they are created 0600 in a 0700 directory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.tickets.domain import Submission, SubmissionResult
from bot.tickets.store import TicketStore

log = logging.getLogger(__name__)

# Errors that mean "the database cannot take this now": OperationalError (down, locked), but
# also e.g. ProgrammingError from an unmigrated database. Queuing on all driver errors is the
# safe side: the intake is kept and delivered once the database is fixed.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (DBAPIError, PoolTimeout)
FORMAT_VERSION = 1


@dataclass(frozen=True)
class OutboxEntry:
    path: Path
    submission: Submission
    queued_at: datetime


@dataclass
class FlushReport:
    """Outcome of one ``flush_outbox`` run (counts only: safe to log)."""

    delivered: list[str] = field(default_factory=list)  # ticket references
    remaining: int = 0
    failed: int = 0  # entries moved to ``failed/`` because they could not be read
    unavailable: bool = False  # stopped early: the database is still down


class Outbox:
    """Directory of pending submissions (see the module docstring for why files)."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def put(self, submission: Submission) -> Path:
        """Persist the submission durably; returns only after it is on disk."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = self._path(submission.idempotency_key)
        payload = {
            "version": FORMAT_VERSION,
            "queued_at": datetime.now(timezone.utc).isoformat(),
            "submission": submission.to_dict(),
        }
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        self._fsync_directory()
        return target

    def pending(self) -> Iterator[OutboxEntry | Path]:
        """Entries oldest first; a path instead of an entry means the file is unreadable."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("*.json"), key=lambda p: (p.stat().st_mtime, p)):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                yield OutboxEntry(
                    path=path,
                    submission=Submission.from_dict(data["submission"]),
                    queued_at=datetime.fromisoformat(data["queued_at"]),
                )
            except FileNotFoundError:
                continue  # delivered meanwhile by another process
            except (ValueError, KeyError, TypeError):
                yield path

    def __len__(self) -> int:
        return len(list(self.directory.glob("*.json"))) if self.directory.is_dir() else 0

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self._fsync_directory()

    def quarantine(self, path: Path) -> None:
        """Move an unreadable entry aside so it stops blocking, without deleting anyone's data."""
        failed = self.directory / "failed"
        failed.mkdir(mode=0o700, exist_ok=True)
        os.replace(path, failed / path.name)
        self._fsync_directory()

    def _path(self, key: str) -> Path:
        return self.directory / f"{hashlib.sha256(key.encode('utf-8')).hexdigest()}.json"

    def _fsync_directory(self) -> None:
        """Make the rename/unlink itself durable (POSIX: the directory entry is separate)."""
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def submit(submission: Submission, store: TicketStore, outbox: Outbox) -> SubmissionResult:
    """Create the ticket, or queue it if the database is unreachable.

    This is what the action server calls for each consented intake. ``status="created"``
    comes with the reference to tell the resident; ``"queued"`` means "received, it will be
    forwarded" (no reference yet). After a successful creation, older queued submissions are
    flushed opportunistically. Synchronous: call it via ``run_in_executor`` from async code.
    """
    try:
        ticket = store.create_ticket(submission)
    except UNAVAILABLE_ERRORS as error:
        outbox.put(submission)
        log.warning("ticket store unavailable, submission queued: %s", type(error).__name__)
        return SubmissionResult(status="queued")
    if len(outbox):
        flush_outbox(store, outbox)
    return SubmissionResult(status="created", reference=ticket.reference)


def flush_outbox(store: TicketStore, outbox: Outbox | None = None) -> FlushReport:
    """Deliver queued submissions; each is removed only after its ticket exists.

    Safe to run concurrently and repeatedly (idempotency keys). Stops at the first
    "database unavailable" error, leaving the rest for the next run. ``outbox`` defaults to
    ``<settings.var_dir>/outbox``.
    """
    outbox = outbox or default_outbox()
    report = FlushReport()
    for entry in outbox.pending():
        if isinstance(entry, Path):
            log.error("unreadable outbox entry moved to failed/: %s", entry.name)
            outbox.quarantine(entry)
            report.failed += 1
            continue
        try:
            ticket = store.create_ticket(entry.submission)
        except UNAVAILABLE_ERRORS:
            report.unavailable = True
            break
        outbox.remove(entry.path)
        report.delivered.append(ticket.reference)
    report.remaining = len(outbox)
    return report


def default_outbox() -> Outbox:
    from bot.settings import load_settings

    return Outbox(load_settings().var_dir / "outbox")
