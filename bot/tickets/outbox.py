"""Durable local outbox: no consented intake is lost when the ticket database is down.

Layout: one JSON file per pending submission under ``var/outbox/``, named
``<city>.<sha256 of the idempotency key>.json``. One file per entry (rather than one JSON-lines
file) because each entry is then written atomically on its own (temp file + fsync + rename +
directory fsync), several action-server processes can enqueue without a shared lock, and
removing a delivered entry is a single unlink. The city in the name lets the console count a
city's waiting intakes without opening anyone's file; the key is hashed so the name reveals no
conversation. Queuing the same key twice overwrites the same file, and delivery reuses the key,
so retries never create a second ticket.

Concurrency: temp files end in ``.partial`` so a drainer never picks up a half-written entry;
a drainer delivers an entry only while holding an exclusive ``flock`` on it (released by the
kernel if the drainer dies, so nothing stays claimed forever), and re-checks after locking that
the path still names the file it locked (it may have been delivered or re-queued meanwhile).
Removing or setting aside a delivered entry first renames it off its name and only then checks
it is the locked file (``Outbox._take``), so a copy re-queued at that moment is never the one
deleted or moved.

Entries that cannot be delivered because of *them* (unreadable, or refused by the database:
``IntegrityError``, ``DataError``…) are moved to ``failed/`` instead of blocking the queue;
``requeue_failed`` puts them back once the cause is fixed.

Files contain the resident's data: they are created 0600 in a 0700 directory (an existing
directory that is wider, e.g. made by hand or by an older version, is tightened on the next write).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import secrets
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.tickets.domain import Submission, SubmissionResult
from bot.tickets.store import TicketStore

log = logging.getLogger(__name__)

# "The database cannot take this now, later it can": down, unreachable, locked, pool
# exhausted. Only these queue. Anything else (IntegrityError, DataError, ProgrammingError…)
# is a bug or a misconfiguration that waiting does not fix: the entry goes to ``failed/``.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)
FORMAT_VERSION = 1
SUFFIX = ".json"
TEMP_SUFFIX = ".partial"  # must not end in SUFFIX: the drain glob would pick it up
FAILED_DIR = "failed"


@dataclass(frozen=True)
class OutboxEntry:
    path: Path
    submission: Submission
    queued_at: datetime
    inode: int = 0  # of the claimed file: tells it apart from a re-queued copy at the same path


@dataclass(frozen=True)
class Unreadable:
    """A claimed file that is not a valid entry (truncated, edited, another version)."""

    path: Path
    inode: int = 0


@dataclass(frozen=True)
class OutboxCounts:
    """What the console shows coordinators: counts and an age, never contents."""

    waiting: int
    failed: int
    oldest_waiting: datetime | None = None


@dataclass
class DrainReport:
    """Outcome of one ``drain_once`` run (counts only: safe to log)."""

    delivered: list[str] = field(default_factory=list)  # ticket references
    remaining: int = 0
    failed: int = 0  # entries moved to ``failed/`` (unreadable or refused by the database)
    unavailable: bool = False  # stopped early: the database is still down


class Outbox:
    """Directory of pending submissions (see the module docstring for why files)."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    @property
    def failed_directory(self) -> Path:
        return self.directory / FAILED_DIR

    def put(self, submission: Submission) -> Path:
        """Persist the submission durably; returns only after it is on disk.

        Raises ``OSError`` (disk full, unwritable): the caller must tell the resident.
        """
        return self._write(self.directory, submission)

    def put_failed(self, submission: Submission) -> Path:
        """Keep a submission the database refused, for staff to see and requeue after a fix."""
        return self._write(self.failed_directory, submission)

    def waiting_paths(self) -> list[Path]:
        """Waiting entries, oldest first (entries delivered meanwhile are left out)."""
        dated = []
        for path in self.directory.glob(f"*{SUFFIX}") if self.directory.is_dir() else ():
            try:
                dated.append((path.stat().st_mtime, path))
            except FileNotFoundError:
                continue  # delivered by another drainer between listing and stat
        return [path for _, path in sorted(dated)]

    @contextmanager
    def claim(self, path: Path) -> Iterator[OutboxEntry | Unreadable | None]:
        """Lock one entry for delivery; ``None`` if another drainer has it or it is gone.

        The lock lives as long as the ``with`` block (or the process): deliver, then
        ``remove`` or ``quarantine`` inside it.
        """
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            yield None
            return
        try:
            yield self._lock_and_read(fd, path)
        finally:
            os.close(fd)  # releases the lock

    def remove(self, claimed: OutboxEntry | Unreadable) -> None:
        """Delete a delivered entry.

        Only the claimed file: a writer that re-queued the same key meanwhile left a new file,
        which the next run delivers (same key, same ticket).
        """
        taken = self._take(claimed)
        if taken is not None:
            taken.unlink()
            self._fsync(self.directory)

    def quarantine(self, claimed: OutboxEntry | Unreadable) -> None:
        """Move an entry aside so it stops blocking, without deleting anyone's data."""
        taken = self._take(claimed)
        if taken is None:
            return  # replaced by a fresh copy meanwhile: that one gets its own try
        _private_directory(self.failed_directory)
        os.replace(taken, self.failed_directory / claimed.path.name)
        self._fsync(self.failed_directory)
        self._fsync(self.directory)

    def requeue_failed(self) -> int:
        """Put every failed entry back in the queue (after the bug or schema is fixed)."""
        moved = 0
        failed = self.failed_directory
        for path in failed.glob(f"*{SUFFIX}") if failed.is_dir() else ():
            os.replace(path, self.directory / path.name)
            moved += 1
        if moved:
            self._fsync(self.failed_directory)
            self._fsync(self.directory)
        return moved

    def counts(self, city: str | None = None) -> OutboxCounts:
        """Waiting and failed entries (of one city), from file names and dates only.

        Entries named before the city was part of the name are counted for every city: a
        coordinator seeing one too many is better than nobody seeing it.
        """
        waiting = _scan(self.directory, city)
        failed = _scan(self.failed_directory, city)
        oldest = min(waiting) if waiting else None
        return OutboxCounts(
            waiting=len(waiting),
            failed=len(failed),
            oldest_waiting=datetime.fromtimestamp(oldest, tz=timezone.utc) if oldest else None,
        )

    def __len__(self) -> int:
        return len(self.waiting_paths())

    # --- internals ----------------------------------------------------------------------

    def _take(self, claimed: OutboxEntry | Unreadable) -> Path | None:
        """Move the claimed file off its name; where it is now, or None if it was not there.

        Checking "does the name still hold my file?" and then unlinking or renaming the name
        leaves a gap in which a writer can re-queue the same key onto it, and the drainer would
        delete or set aside that fresh copy instead. So the name is renamed first (atomic) and
        what was moved is checked afterwards: the locked file is returned; a fresh copy is
        linked back under its name (unless a newer one already arrived: same key) and None is
        returned. The temporary name is itself a waiting entry (``.json``): if the drainer dies
        right here, the file is simply delivered again (same key, same ticket), and other
        drainers skip it meanwhile because of the lock.
        """
        path = claimed.path
        taken = path.with_name(f"{path.name[: -len(SUFFIX)]}-{secrets.token_hex(8)}{SUFFIX}")
        try:
            os.rename(path, taken)
        except FileNotFoundError:
            return None  # the name is gone; the locked file went with it
        if self._inode(taken) == claimed.inode:
            return taken
        # Put the fresh copy back; unlike rename, link never replaces a newer copy. It fails if
        # a newer copy holds the name, or if another drainer took this one meanwhile: fine.
        with contextlib.suppress(FileExistsError, FileNotFoundError):
            os.link(taken, path)
        taken.unlink(missing_ok=True)
        self._fsync(self.directory)
        return None

    def _write(self, directory: Path, submission: Submission) -> Path:
        _private_directory(directory)
        key_hash = hashlib.sha256(submission.idempotency_key.encode("utf-8")).hexdigest()
        target = directory / f"{submission.city}.{key_hash}{SUFFIX}"
        payload = {
            "version": FORMAT_VERSION,
            "queued_at": datetime.now(timezone.utc).isoformat(),
            "submission": submission.to_dict(),
        }
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=TEMP_SUFFIX, dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        self._fsync(directory)
        return target

    def _lock_and_read(self, fd: int, path: Path) -> OutboxEntry | Unreadable | None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # another drainer is delivering it
        inode = os.fstat(fd).st_ino
        if self._inode(path) != inode:
            return None  # delivered (unlinked) or re-queued (replaced) since we opened it
        with os.fdopen(os.dup(fd), "rb") as handle:
            raw = handle.read()
        try:
            data = json.loads(raw.decode("utf-8"))
            return OutboxEntry(
                path=path,
                submission=Submission.from_dict(data["submission"]),
                queued_at=datetime.fromisoformat(data["queued_at"]),
                inode=inode,
            )
        except (ValueError, KeyError, TypeError):
            return Unreadable(path, inode)

    @staticmethod
    def _inode(path: Path) -> int | None:
        try:
            return os.stat(path).st_ino
        except FileNotFoundError:
            return None

    @staticmethod
    def _fsync(directory: Path) -> None:
        """Make the rename/unlink itself durable (POSIX: the directory entry is separate)."""
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _private_directory(directory: Path) -> None:
    """Create ``directory`` 0700, or tighten it to 0700 if it exists with a wider mode.

    ``mkdir(mode=...)`` applies only to a directory it creates: one made by hand, by an older
    version or by a wide umask would otherwise keep listing residents' entries (city and key
    hash in each name) to every local user. Not being able to tighten it (not its owner) is
    logged, not raised: the entries themselves are 0600, and refusing to keep an intake would
    lose it.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        try:
            os.chmod(directory, 0o700)
        except PermissionError:
            log.warning("outbox directory %s is mode %o and cannot be tightened", directory, mode)


def _scan(directory: Path, city: str | None) -> list[float]:
    """Modification times of the entries of ``city`` (all cities if None) in one directory."""
    if not directory.is_dir():
        return []
    times = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if not entry.name.endswith(SUFFIX) or not entry.is_file():
                continue
            named_city = entry.name.split(".")[0] if entry.name.count(".") == 2 else None
            if city is not None and named_city not in (None, city):
                continue
            try:
                times.append(entry.stat().st_mtime)
            except FileNotFoundError:
                continue
    return times


def submit(submission: Submission, store: TicketStore, outbox: Outbox) -> SubmissionResult:
    """Create the ticket, queue it if the database is unreachable, keep it if it is refused.

    This is what the action server calls for each consented intake. ``"created"`` comes with
    the reference to tell the resident; ``"queued"`` means "received, it will be forwarded" (the
    drainer delivers it); ``"failed"`` means the database refused it (a bug): it is kept under
    ``failed/`` for staff, and the resident is told to contact the window directly. Raises
    ``OSError`` if the outbox cannot be written either. Synchronous: call it via
    ``run_in_executor`` from async code.
    """
    try:
        ticket = store.create_ticket(submission)
    except TRANSIENT_ERRORS as error:
        outbox.put(submission)
        log.warning("ticket store unavailable, submission queued: %s", type(error).__name__)
        return SubmissionResult(status="queued")
    except Exception as error:  # every other refusal is kept, not lost
        outbox.put_failed(submission)
        log.error("ticket store refused a submission, kept in failed/: %s", type(error).__name__)
        return SubmissionResult(status="failed")
    return SubmissionResult(status="created", reference=ticket.reference)


def drain_once(store: TicketStore, outbox: Outbox | None = None) -> DrainReport:
    """Deliver queued submissions once; each is removed only after its ticket exists.

    Safe to run concurrently (each entry is claimed with a lock; idempotency keys on top).
    Stops at the first transient error, leaving the rest for the next run; an entry the
    database refuses is quarantined and the run goes on. ``outbox`` defaults to
    ``<settings.var_dir>/outbox``.
    """
    outbox = outbox or default_outbox()
    report = DrainReport()
    for path in outbox.waiting_paths():
        with outbox.claim(path) as claimed:
            if claimed is None:
                continue
            if isinstance(claimed, Unreadable):
                log.error("unreadable outbox entry moved to failed/: %s", path.name)
                outbox.quarantine(claimed)
                report.failed += 1
                continue
            try:
                ticket = store.create_ticket(claimed.submission)
            except TRANSIENT_ERRORS:
                report.unavailable = True
                break
            except Exception as error:  # a bug must not block the others
                log.error(
                    "outbox entry %s refused, moved to failed/: %s", path.name, type(error).__name__
                )
                outbox.quarantine(claimed)
                report.failed += 1
                continue
            outbox.remove(claimed)
            report.delivered.append(ticket.reference)
    report.remaining = len(outbox)
    return report


def default_outbox() -> Outbox:
    from bot.settings import load_settings

    return Outbox(load_settings().var_dir / "outbox")
