"""Engine construction shared by the store, the migrations and the CLI.

One place decides the per-backend details (SQLite foreign keys and lock wait, PostgreSQL
connect timeout) so that a store built from a URL behaves like one built in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

# Short enough that a dead database sends the submission to the outbox while the resident is
# still looking at the chat, long enough for a busy server.
PG_CONNECT_TIMEOUT_SECONDS = 5
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create a 2.0-style engine with the backend settings this package relies on."""
    backend = make_url(url).get_backend_name()
    connect_args: dict[str, Any] = dict(kwargs.pop("connect_args", {}))
    # A failed statement's message (logged, shown in tracebacks) would otherwise contain its
    # bound values: phone numbers, names, consultation text.
    kwargs.setdefault("hide_parameters", True)
    if backend == "sqlite":
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_SECONDS)
    elif backend == "postgresql":
        connect_args.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_SECONDS)
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, future=True, connect_args=connect_args, **kwargs)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif backend == "postgresql":
        event.listen(engine, "handle_error", drop_postgres_detail)
    return engine


def drop_postgres_detail(context: Any) -> None:
    """Keep the first line of a PostgreSQL error, not its DETAIL.

    ``hide_parameters`` hides what we sent, but the server repeats values in its DETAIL
    ("Key (contact)=(090-…) already exists."), and the driver's message includes it. The error
    code and ``diag`` stay on the exception for code that needs them.
    """
    for error in (context.original_exception, context.sqlalchemy_exception):
        message = error.args[0] if error is not None and len(error.args) == 1 else None
        if isinstance(message, str) and "DETAIL:" in message:
            error.args = ("\n".join(_without_detail(message.splitlines())),)


def _without_detail(lines: list[str]) -> list[str]:
    """Drop the DETAIL line and its continuation lines (indented)."""
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith("DETAIL:"):
            skipping = True
            continue
        if skipping and (line.startswith(" ") or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    return kept


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite ignores foreign keys unless asked, per connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    """Write-ahead log, synced at checkpoints, for files Rasa writes inside a webhook request.

    Rasa's tracker store commits once a turn and its SQL broker once per event, each a full
    fsync in SQLite's default mode (several ms of a turn on this machine's disk). In WAL mode
    with ``synchronous=NORMAL`` a commit is an append: a crash of the process loses nothing, a
    power cut can lose the last turn; and a reader (the consumer, ``intake purge``) no longer
    blocks the writer. Listen for ``connect`` on an engine to use it.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def rasa_sqlite_kwargs() -> dict[str, Any]:
    """``create_engine`` options for an SQLite file Rasa writes on every turn.

    SQLAlchemy 1.4 (Rasa's pin) gives an SQLite file a ``NullPool``: every session opened a
    new connection, ran its pragmas and closed the file again, on every turn. One kept
    connection (the pool SQLAlchemy 2.0 defaults to) does none of that; Rasa's server calls
    the store from its event loop, so the connection may pass between threads only through
    the pool.
    """
    return {
        "poolclass": QueuePool,
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
    }


def as_engine(engine_or_url: Engine | str) -> Engine:
    return make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url


class Database:
    """Holds the engine and opens short sessions whose results stay usable after closing."""

    def __init__(
        self, engine_or_url: Engine | str, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.engine: Engine = as_engine(engine_or_url)
        self._owns_engine = isinstance(engine_or_url, str)
        # Injected in tests (year boundaries); must return an aware datetime.
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def now(self) -> datetime:
        return self._clock().astimezone(timezone.utc)

    def session(self) -> Session:
        return Session(self.engine, future=True, expire_on_commit=False)

    def dispose(self) -> None:
        """Close pooled connections if this object created the engine."""
        if self._owns_engine:
            self.engine.dispose()
