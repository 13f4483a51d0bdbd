"""Reading Rasa's SQL event broker table (the embedded default, ``endpoints.yml``).

Rasa's ``SQLEventBroker`` appends every event as JSON to a table ``events`` (``id``,
``sender_id``, ``data``). It is a queue without acknowledgements, so the reader keeps its own
position: the highest id whose events are committed in the analytic tables
(``analytic_offsets``, source ``sql:events``), saved in the same transaction as the rows. A
crash between reading and committing re-reads the batch, and ``AnalyticsStore.record`` makes
that harmless.

The rows are raw events — residents' own words — so once committed they are deleted, all but
the newest: SQLite hands out ``max(id) + 1`` to the next row (no AUTOINCREMENT in Rasa's
table), and keeping the newest row means ids never restart below the saved offset. If they do
anyway (the file was deleted), the reader notices that the table's highest id is under its
offset and starts again from the beginning.

Ids are read in order, which is only safe with one writer committing in id order: SQLite (one
writer at a time) gives that. Several Rasa servers writing to one PostgreSQL table could commit
id 11 before id 10 and the reader would skip 10 — production uses RabbitMQ instead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import column, delete, func, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.analytics.schema import OffsetRow
from bot.tickets.engine import as_engine

logger = logging.getLogger(__name__)

__all__ = ["SQL_SOURCE", "SqlEventSource", "decode_events"]

SQL_SOURCE = "sql:events"

# Rasa's table (rasa.core.brokers.sql.SQLEventBroker.SQLBrokerEvent), described, never created.
EVENTS = table("events", column("id"), column("sender_id"), column("data"))


def decode_events(body: bytes | str) -> list[Mapping[str, Any]] | None:
    """The Rasa events one broker message carries; None for anything that is not one.

    Rasa serialises one event with ``json.dumps(event)``, the same for RabbitMQ bodies and the
    SQL table's ``data``. The production broker (``DegradingPikaEventBroker.publish_many``) sends
    a turn's events as one message, a JSON array of them in order. A body that does not parse
    is logged by size only (it may hold a message).
    """
    try:
        decoded = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        logger.warning("Analytics skipped a broker message that is not JSON (%d bytes)", len(body))
        return None
    if isinstance(decoded, dict):
        return [decoded]
    if isinstance(decoded, list) and decoded and all(isinstance(e, dict) for e in decoded):
        return decoded
    logger.warning(
        "Analytics skipped a broker message that holds no events (%s, %d bytes)",
        type(decoded).__name__,
        len(body),
    )
    return None


def _missing_table(error: Exception) -> bool:
    text = str(getattr(error, "orig", error)).lower()
    return "no such table" in text or "does not exist" in text


class SqlEventSource:
    """The ``events`` table of Rasa's SQL event broker, read by id."""

    def __init__(self, engine_or_url: Engine | str) -> None:
        self.engine = as_engine(engine_or_url)
        self._owns_engine = isinstance(engine_or_url, str)

    def dispose(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def read(self, after: int, limit: int) -> list[tuple[int, str]]:
        """Up to ``limit`` rows with ``id > after``, in id order; [] before Rasa made the table."""
        query = (
            select(EVENTS.c.id, EVENTS.c.data)
            .where(EVENTS.c.id > after)
            .order_by(EVENTS.c.id)
            .limit(limit)
        )
        try:
            with self.engine.connect() as connection:
                return [(int(i), str(d or "")) for i, d in connection.execute(query)]
        except (OperationalError, ProgrammingError) as error:
            if _missing_table(error):
                return []
            raise

    def max_id(self) -> int | None:
        """The newest row's id (None: empty or not created yet)."""
        try:
            with self.engine.connect() as connection:
                value = connection.execute(select(func.max(EVENTS.c.id))).scalar()
        except (OperationalError, ProgrammingError) as error:
            if _missing_table(error):
                return None
            raise
        return None if value is None else int(value)

    def delete_before(self, last_id: int) -> int:
        """Delete committed raw events (``id < last_id``; the row ``last_id`` stays, see above)."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(EVENTS).where(EVENTS.c.id < last_id))
        return int(result.rowcount or 0)


def reset_offset_if_recreated(source: SqlEventSource, analytics_engine: Engine) -> int:
    """The offset to read from: the saved one, or 0 when the broker table started again.

    The saved offset's row is never deleted (module docstring), so a table whose highest id
    is below the offset, or an empty one, was recreated: its rows are new events.
    """
    offsets = OffsetRow.__table__
    with analytics_engine.begin() as connection:
        saved = connection.execute(
            select(offsets.c.last_id).where(offsets.c.source == SQL_SOURCE)
        ).scalar_one_or_none()
        if saved is None:
            return 0
        top = source.max_id()
        if top is not None and top >= int(saved):
            return int(saved)
        if top is None and saved == 0:
            return 0
        logger.warning(
            "Rasa's event table restarts below the saved position %s: reading it from the start",
            saved,
        )
        connection.execute(delete(offsets).where(offsets.c.source == SQL_SOURCE))
        return 0
