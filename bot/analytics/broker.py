"""Rasa's SQL event broker as this project runs it (``endpoints.yml`` names this class).

The embedded default of ``make run`` has no RabbitMQ: Rasa writes each event as JSON into the
``events`` table of its SQL event broker, and ``intake analytics consume --source sql`` reads
that table by id. Two differences from ``type: sql``, for the same reasons as
``bot.trackers.store.PrivateSQLTrackerStore``:

* a relative SQLite ``db`` lives under ``INTAKE_VAR_DIR`` (``var/`` by default) rather than
  under whatever directory Rasa was started from, so test servers never write into the
  project's ``var/`` and the consumer finds the file wherever Rasa was started;
* the engine hides bound parameters in error messages: a failed insert would otherwise print a
  whole event — the resident's message — into the Rasa log;
* a turn's events are written in one transaction (``publish_many``), not one commit each.

Its own file (``events.sqlite3``), never the tracker store's: both Rasa classes name their
table ``events``. The rows hold raw events (residents' words): the consumer deletes the rows it
has committed (``bot.analytics.sources.SqlEventSource``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.sql import SQLEventBroker
from sqlalchemy.orm import sessionmaker

from bot.settings import load_settings
from bot.tickets.engine import rasa_sqlite_kwargs, sqlite_wal

__all__ = ["PrivateSQLEventBroker", "sqlite_path"]


def sqlite_path(db: str, var_dir: Path) -> str:
    """An absolute SQLite file path; a relative one is taken under ``var_dir``."""
    path = Path(db)
    return str(path if path.is_absolute() else var_dir / path)


class PrivateSQLEventBroker(SQLEventBroker):
    """``SQLEventBroker`` with the var-dir SQLite path and hidden parameters."""

    def __init__(
        self,
        dialect: str = "sqlite",
        host: str | None = None,
        port: int | None = None,
        db: str = "events.sqlite3",
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        if dialect == "sqlite" and not host:
            db = sqlite_path(db, load_settings().var_dir)
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(dialect, host, port, db, username, password)
        rasa_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]  # untyped in Rasa
        url = rasa_engine.url
        rasa_engine.dispose()
        sqlite = url.get_backend_name() == "sqlite"
        options = rasa_sqlite_kwargs() if sqlite else {}
        self.engine = sa.create_engine(url, hide_parameters=True, **options)
        if sqlite:
            sa.event.listen(self.engine, "connect", sqlite_wal)
        self.sessionmaker = sessionmaker(bind=self.engine)
        self._insert = sa.insert(self.SQLBrokerEvent.__table__)

    def publish_many(self, events: Sequence[dict[str, Any]]) -> None:
        """A turn's events in one transaction (``bot.trackers.store.publish_batch`` calls it).

        Rasa's ``publish`` commits once per event: five to ten commits a message, 15–20 ms of
        every turn measured end to end (scripts/measure_broker_cost.py).
        """
        if not events:
            return
        rows = [
            {"sender_id": event.get("sender_id"), "data": json.dumps(event)} for event in events
        ]
        with self.session_scope() as session:
            # One statement: ORM objects were an INSERT each on SQLite (py-spy, issue 11).
            session.execute(self._insert, rows)
            session.commit()

    @classmethod
    async def from_endpoint_config(cls, broker_config: Any, event_loop: Any = None) -> Any:
        """Rasa builds custom brokers by module path through this (``type: bot.…``)."""
        return cls(host=broker_config.url, **broker_config.kwargs)
