"""Rasa's SQL tracker store as this project runs it (both endpoints files name this class).

Three differences from ``type: SQL``, each for a resident's sake:

* a relative SQLite ``db`` lives under ``INTAKE_VAR_DIR`` (``var/`` by default) rather than
  under whatever directory Rasa was started from, so conversations survive a restart of
  ``make run`` and test servers never write into the project's ``var/``;
* the engine hides bound parameters in error messages (``hide_parameters``) and PostgreSQL's
  ``DETAIL`` lines: a failed insert would otherwise print a whole event — the resident's
  message — into the Rasa log;
* building it switches on the log redaction of ``bot.privacy.logs`` for the Rasa process
  (``install_for_server``).

Why the tracker store is where Rasa's log redaction starts: Rasa 3.6 (open source) offers no
start-up hook of its own (its plugin manager loads only the commercial ``rasa_plus``), so it
must be a class Rasa builds by module path before it serves. Of those, the tracker store is
the one every server of ours builds — both endpoints files name it, and Rasa builds it before
loading the model. A custom channel (LINE) exists only where ``credentials.yml`` lists it (a
REST-only instance behind the web chat would run unredacted), and a custom NLU component is
part of the trained model (changing it means retraining, and it also loads in ``rasa train``).
The price: an endpoints file with ``type: SQL`` silently runs without redaction, so
tests/test_endpoints_production.py builds the production store as Rasa does and checks it.

* building it installs ``bot.runtime`` in the Rasa process: action-server answers checked
  with a compiled schema (28 % of the server's CPU went to re-checking the schema itself) and
  event classes found from a table (a quarter of a late turn went to walking the classes);
* on SQLite, the file is in WAL mode (``bot.tickets.engine.sqlite_wal``): a turn's commit is
  an append, not an fsync; and its connection is kept, not reopened for every turn;
* Rasa asks PostgreSQL whether ``POSTGRESQL_SCHEMA`` exists at the start of every session —
  every read and every save of every turn, 7 % of an instance's CPU under load (py-spy, issue
  11). A schema does not vanish under a running server: this store asks once, at first use,
  and still stops the server with Rasa's message when it is missing;
* a save finds the turn's new events with the row count it takes anyway, stores them with one
  INSERT (not an ORM object and a statement each) and hands them to the event broker in one
  batch after they are stored. Rasa's own ``save``, once a broker is set, first reads the
  whole conversation back and replays it (``stream_events``) — a cost that grew with every
  message (issue 11: turn 101–120 cost twice turn 1–20) — and publishes
  before it stores, so analytics could see a turn the database never kept.
* on PostgreSQL its statements commit one by one, with no transaction around them
  (``_postgres_options``): a turn waits for three round trips to the database, not seven;
* its read, count and insert statements are built once, and two indexes Rasa's table lacks
  (``EVENT_INDEXES``) let the database find a resident's latest session without walking
  every event they ever had.

Rasa loads it by module path (``type: bot.trackers.store.PrivateSQLTrackerStore``). It works
unchanged for PostgreSQL (``dialect: postgresql`` and the usual keys).
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import Session, sessionmaker

from bot.privacy.logs import install_for_server
from bot.runtime import install_for_rasa_server
from bot.settings import load_settings
from bot.tickets.engine import drop_postgres_detail, rasa_sqlite_kwargs, sqlite_wal

logger = logging.getLogger(__name__)

T = TypeVar("T")


def sqlite_path(db: str, var_dir: Path) -> str:
    """An absolute SQLite file path; a relative one is taken under ``var_dir``."""
    path = Path(db)
    return str(path if path.is_absolute() else var_dir / path)


#: psycopg2's page size for a many-row INSERT, large enough for any one save.
_ONE_PAGE = 2**31 - 1


def _postgres_options(url: sa.engine.URL) -> dict[str, Any]:
    """Rasa's engine options, and no transactions: every statement commits on its own.

    A turn's read is one SELECT and its save a count and one INSERT, each atomic on its own.
    In transactions they cost PostgreSQL seven commands a turn (BEGIN, SELECT, ROLLBACK;
    BEGIN, count, INSERT, COMMIT), each a round trip during which Rasa's event loop waits,
    since the store is synchronous: with the database on another machine, the round trips
    rather than the work bound what an instance serves. Without them: three. The count and
    the INSERT were never one snapshot (READ COMMITTED); what keeps one resident's turns
    apart is the lock store, which holds their conversation for the whole turn. (Set on the
    engine, not per connection: switching a pooled connection's isolation costs a command
    of its own each time.) SQLite is in-process and keeps its transactions.
    """
    return {
        **create_engine_kwargs(url),
        "isolation_level": "AUTOCOMMIT",
        # psycopg2 sends a many-row INSERT in pages of 1,000 rows by default, each page its
        # own statement: without a transaction, a long history saved at once (an import, a
        # replaced tracker) could be stored in part and never published. One page however
        # many rows keeps every save one statement, all or nothing.
        "executemany_values_page_size": _ONE_PAGE,
    }


class PrivateSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with the var-dir SQLite path, hidden parameters and the Rasa
    process's log redaction (see the module docstring; tests ``uninstall`` it afterwards)."""

    def __init__(
        self,
        domain: Any = None,
        dialect: str = "sqlite",
        host: str | None = None,
        port: int | None = None,
        db: str = "trackers.sqlite3",
        **kwargs: Any,
    ) -> None:
        install_for_server()  # first, so that Rasa's own connection warnings are redacted too
        install_for_rasa_server()
        if dialect == "sqlite" and not host:
            db = sqlite_path(db, load_settings().var_dir)
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(domain, dialect, host, port, db, **kwargs)
        # Rasa builds its engine without options; rebuild it on the same (final) URL.
        rasa_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]  # untyped in Rasa
        url = rasa_engine.url
        rasa_engine.dispose()
        sqlite = url.get_backend_name() == "sqlite"
        options = rasa_sqlite_kwargs() if sqlite else _postgres_options(url)
        engine = sa.create_engine(url, hide_parameters=True, **options)
        if engine.dialect.name == "postgresql":
            sa.event.listen(engine, "handle_error", drop_postgres_detail)
        elif engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", sqlite_wal)
        self.engine = engine
        self.sessionmaker = sessionmaker(bind=engine)
        self._schema_checked = False
        self._statements = _EventStatements(self.SQLEvent.__table__)
        _ensure_event_indexes(engine)

    def _check_schema_once(self) -> None:
        """Rasa's schema check, at the first use only (see the module docstring)."""
        if not self._schema_checked:
            with super().session_scope():  # Rasa's check; it exits when the schema is missing
                pass
            self._schema_checked = True

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A session; the first one also runs Rasa's schema check (see the module docstring)."""
        self._check_schema_once()
        session = self.sessionmaker()
        try:
            yield session
        finally:
            session.close()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's ``_retrieve``, reading only the ``data`` column: no ORM object per event.

        Every turn reads the conversation back, so building an ORM instance for each stored
        event was the largest part of a late turn's read (py-spy, issue 11). The statement is
        built once (``_EventStatements``).
        """
        statement = (
            self._statements.all_sessions
            if fetch_events_from_all_sessions
            else self._statements.latest_session
        )
        self._check_schema_once()
        events = _once_more_if_disconnected(lambda: self._read(statement, sender_id))
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _read(self, statement: sa.sql.Select, sender_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            rows = connection.execute(statement, {"sender_id": sender_id})
            return [json.loads(data) for (data,) in rows]

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events the database does not hold yet, then publish exactly those."""
        self._check_schema_once()
        first_unstored: list[int] = []
        bodies = _once_more_if_disconnected(lambda: self._store(tracker, first_unstored))
        if self.event_broker is not None and bodies:
            publish_batch(self.event_broker, tracker.sender_id, bodies)

    def _store(
        self, tracker: DialogueStateTracker, first_unstored: list[int]
    ) -> list[dict[str, Any]]:
        """Count, then insert what is new; returns the bodies of the events this save stored.

        Run again after a lost connection, the count includes whatever the first run's INSERT
        stored before the reply was lost, so nothing is stored twice; ``first_unstored``
        keeps the first run's count, so those events are still published.
        """
        with self.engine.begin() as connection:
            stored = connection.execute(
                self._statements.count_latest_session, {"sender_id": tracker.sender_id}
            ).scalar_one()
            if not first_unstored:
                first_unstored.append(stored)
            events = list(itertools.islice(tracker.events, first_unstored[0], None))
            bodies = [event.as_dict() for event in events]
            already = max(0, stored - first_unstored[0])
            rows = [
                {
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {})
                    .get("intent", {})
                    .get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
                for event, data in zip(events[already:], bodies[already:], strict=True)
            ]
            if rows:  # one statement for the turn (an ORM object each was an INSERT each)
                connection.execute(self._statements.insert, rows)
        return bodies


def _once_more_if_disconnected(work: Callable[[], T]) -> T:
    """``work()``, and once more if its connection was found dead.

    After PostgreSQL restarts (a crash, a failover, an upgrade), every pooled connection is
    dead, and the first statement on one fails; SQLAlchemy then replaces the pool's
    connections. Failing that turn was worse than it looks: Rasa's ``FailSafeTrackerStore``
    turns a failed read into "no conversation", so the resident's turn ran on a new, empty
    one, and its save skipped as many events as the old session had stored
    (tests/faults/test_postgres_restart_trackers.py). A second failure (the database still
    down) is raised as before.
    """
    try:
        return work()
    except sa.exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        logger.warning("The tracker database connection was lost; trying once more")
        return work()


#: What finding a resident's latest session needs (``_EventStatements``): without them the
#: database walks every event the resident ever had, on every read and save of every turn
#: (a resident with ten earlier sessions cost 26 times the database work of a new one).
EVENT_INDEXES = {
    "ix_events_sender_type_timestamp": "sender_id, type_name, timestamp",
    "ix_events_sender_timestamp": "sender_id, timestamp",
}


def _ensure_event_indexes(engine: sa.engine.Engine) -> None:
    """Create the indexes Rasa's table lacks, if missing (SQLite and PostgreSQL ≥ 9.5).

    Several instances may start at once: one that loses the race to create an index finds it
    made by the other. On a large existing table build them beforehand (PostgreSQL: ``CREATE
    INDEX CONCURRENTLY``) rather than at a start, which would hold writes meanwhile."""
    for name, columns in EVENT_INDEXES.items():
        try:
            with engine.begin() as connection:
                connection.execute(
                    sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON events ({columns})")
                )
        except sa.exc.DBAPIError as error:
            logger.info("Index %s not created here (%s)", name, type(error).__name__)


class _EventStatements:
    """The statements a turn runs, built once per store rather than once per turn.

    Rasa builds its ORM query (``_event_query``: the events after the latest
    ``session_started``, or all) anew for every read and every save, and SQLAlchemy then
    derives the query's cache key by walking the whole expression: 8 % of an instance's CPU
    under load (py-spy, issue 11). A statement kept and run with new parameters has its key
    already. Same SQL meaning as Rasa's query (a test compares the two on both databases).
    """

    def __init__(self, events: sa.Table) -> None:
        sender = sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(events.c.timestamp))
            .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        # Rasa writes ``timestamp >= start OR start IS NULL``; the OR keeps the database from
        # using an index on (sender, time) for the range, so every turn walked all of the
        # resident's events. Rasa gives every event a timestamp, so a start of minus
        # infinity when no session started reads the same rows.
        latest = sa.and_(
            events.c.sender_id == sender,
            events.c.timestamp >= sa.func.coalesce(session_start, sa.literal(float("-inf"))),
        )
        self.latest_session = sa.select(events.c.data).where(latest).order_by(events.c.id)
        self.all_sessions = (
            sa.select(events.c.data).where(events.c.sender_id == sender).order_by(events.c.id)
        )
        self.count_latest_session = sa.select(sa.func.count()).select_from(events).where(latest)
        self.insert = sa.insert(events)


def publish_batch(broker: EventBroker, sender_id: str, bodies: Sequence[dict[str, Any]]) -> None:
    """One call for a turn's events where the broker takes batches (the SQL one: one commit)."""
    events = [{"sender_id": sender_id, **body} for body in bodies]
    publish_many = getattr(broker, "publish_many", None)
    if publish_many is not None:
        publish_many(events)
        return
    for event in events:
        broker.publish(event)
