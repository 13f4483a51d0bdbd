"""Writing analytic rows: one batch of Rasa events, one transaction, replay-safe.

The ingestion worker gets events at least once (RabbitMQ redelivers what was not
acknowledged; the SQL broker reader may re-read after a crash), so ``record`` must be
idempotent: replaying a batch, or any part of it, changes nothing.

* Messages are inserted or ignored by ``event_key`` (``INSERT … ON CONFLICT DO NOTHING``).
* A conversation's flags are OR-ed in (false → true only); ``started_at`` is the minimum and
  ``last_event_at`` the maximum of what was seen; ``message_count`` is recounted from the
  stored messages rather than incremented.
* The city is the latest ``city`` slot, applied only from events not older than what the row
  has already seen, so replaying an old batch cannot set an old city back.
* An offset (for polled sources such as the SQL broker table) can be saved in the same
  transaction, so rows and offset commit or fail together.

Works on SQLite and PostgreSQL (the dialects' ``ON CONFLICT``); on PostgreSQL the batch's
conversation rows are locked by their insert (``ON CONFLICT DO UPDATE``, in key order) so
that two workers cannot lose each other's flags, nor a purge delete a row the batch reads.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from bot.analytics.events import (
    FLAGS,
    ConversationUpdate,
    MalformedEvent,
    conversation_update,
    message_row,
)
from bot.analytics.identity import require_salt
from bot.analytics.schema import ConversationRow, MessageRow, OffsetRow
from bot.directory import Directory, default_directory
from bot.tickets.engine import as_engine

logger = logging.getLogger(__name__)

__all__ = ["AnalyticsStore", "RecordResult"]

MESSAGES = MessageRow.__table__
CONVERSATIONS = ConversationRow.__table__
OFFSETS = OffsetRow.__table__


@dataclass(frozen=True)
class RecordResult:
    """What one ``record`` call did (for the worker's log and tests)."""

    events: int  # events read, malformed ones included
    messages_inserted: int  # new analytic_messages rows (0 when the batch was seen before)
    conversations: int  # conversations touched
    skipped: int  # malformed events (no sender id or timestamp)


def _insert(connection: Connection, table: Any) -> Any:
    name = connection.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"analytics support SQLite and PostgreSQL, not {name}")


@dataclass
class _Pending:
    """One conversation's part of the batch, in event order."""

    events: list[tuple[Mapping[str, Any], ConversationUpdate]]

    @cached_property
    def first(self) -> datetime:
        return min(change.at for _, change in self.events)

    @cached_property
    def last(self) -> datetime:
        return max(change.at for _, change in self.events)


# One statement for every conversation of a batch, executed with a parameter set each.
_CONVERSATION_COLUMNS = (
    "started_at",
    "last_event_at",
    "channel",
    "city",
    "message_count",
    "in_intake",
    *FLAGS,
)
_UPDATE_CONVERSATION = (
    update(CONVERSATIONS)
    .where(CONVERSATIONS.c.conversation_hash == bindparam("b_key"))
    .values({column: bindparam(f"b_{column}") for column in _CONVERSATION_COLUMNS})
)


class AnalyticsStore:
    """The analytic tables of one database (migrated by ``bot.analytics.migrate``)."""

    def __init__(
        self,
        engine_or_url: Engine | str,
        *,
        salt: str | bytes,
        directory: Directory | None = None,
    ) -> None:
        self.engine: Engine = as_engine(engine_or_url)
        self._owns_engine = isinstance(engine_or_url, str)
        self._salt = require_salt(salt)
        self._directory = directory or default_directory()

    def session(self) -> Session:
        """A short 2.0-style session for reading (reports, the console)."""
        return Session(self.engine, future=True, expire_on_commit=False)

    def dispose(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------

    def record(
        self,
        events: Iterable[Mapping[str, Any]],
        *,
        offset: tuple[str, int] | None = None,
    ) -> RecordResult:
        """Apply a batch of broker events in one transaction (replaying it changes nothing).

        ``offset`` — ``(source, last_id)`` to save with the rows (never moves backwards).
        """
        batch = list(events)
        pending: dict[str, _Pending] = {}
        skipped = 0
        for event in batch:
            try:
                change = conversation_update(event, self._salt)
            except MalformedEvent as error:
                skipped += 1
                logger.warning("Analytics skipped an event: %s", error)
                continue
            pending.setdefault(change.conversation_hash, _Pending([])).events.append(
                (event, change)
            )
        inserted = 0
        with self.engine.begin() as connection:
            if pending:
                inserted = self._apply(connection, pending)
            if offset is not None:
                self._save_offset(connection, *offset)
        return RecordResult(len(batch), inserted, len(pending), skipped)

    def _apply(self, connection: Connection, pending: dict[str, _Pending]) -> int:
        """The batch in six statements however many conversations it touches, each compiled
        once and given every conversation's rows: one statement per conversation and step was
        most of the consumer's CPU (``make bench``, CPU per turn). psycopg2 sends the two
        INSERTs as one command each (``execute_values``) and the UPDATE as one command per
        conversation (its ``executemany``), so PostgreSQL gets N + 5 commands, not 6N.
        Returns the message rows inserted."""
        keys = sorted(pending)
        blank = {flag: False for flag in FLAGS}
        # A no-op update, not DO NOTHING: it locks a row that exists, in key order, so that two
        # workers cannot deadlock nor lose each other's flags, and a purge cannot delete it
        # before the read below (DO NOTHING left it unlocked until then: the read missed it).
        connection.execute(
            _insert(connection, CONVERSATIONS).on_conflict_do_update(
                index_elements=["conversation_hash"],
                set_={"message_count": CONVERSATIONS.c.message_count},
            ),
            [
                {
                    "conversation_hash": key,
                    "started_at": pending[key].first,
                    "last_event_at": pending[key].first,
                    "message_count": 0,
                    "in_intake": False,
                    **blank,
                }
                for key in keys
            ],
        )
        rows = {  # locked by the insert above
            row["conversation_hash"]: row
            for row in connection.execute(
                select(CONVERSATIONS).where(CONVERSATIONS.c.conversation_hash.in_(keys))
            ).mappings()
        }
        messages: list[dict[str, Any]] = []
        updates = []
        for key in keys:
            changed = self._merge(rows[key], pending[key], messages)
            updates.append({"b_key": key, **{f"b_{c}": v for c, v in changed.items()}})
        # Counted, not taken from rowcount: psycopg2's batched executemany does not report it.
        before = self._counts(connection, keys)
        if messages:
            connection.execute(
                _insert(connection, MESSAGES).on_conflict_do_nothing(index_elements=["event_key"]),
                messages,
            )
        after = self._counts(connection, keys) if messages else before
        for values in updates:
            values["b_message_count"] = after.get(values["b_key"], (0, 0))[1]
        connection.execute(_UPDATE_CONVERSATION, updates)
        return sum(total for total, _ in after.values()) - sum(
            total for total, _ in before.values()
        )

    def _merge(
        self, row: Mapping[str, Any], pending: _Pending, messages: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """One conversation's new column values (all but ``message_count``, counted after the
        insert), from its stored row and its events in order; its message rows are appended
        to ``messages``."""
        seen_until: datetime = row["last_event_at"]
        city: str | None = row["city"]
        latest_city: str | None = None
        in_intake: bool = bool(row["in_intake"])
        latest_intake: bool | None = None
        flags = {flag for flag in FLAGS if row[flag]}
        channel: str | None = row["channel"]
        for event, change in pending.events:
            values = message_row(event, self._salt, self._directory, city=city, in_intake=in_intake)
            if values is not None:
                messages.append(values)
            flags |= change.flags
            channel = channel or change.channel
            if change.city is not None:
                city = change.city
                if change.at >= seen_until:
                    latest_city = change.city
            if change.intake is not None:
                in_intake = change.intake
                if change.at >= seen_until:
                    latest_intake = change.intake
        return {
            "started_at": min(row["started_at"], pending.first),
            "last_event_at": max(seen_until, pending.last),
            "channel": channel,
            "city": latest_city or row["city"],
            "in_intake": row["in_intake"] if latest_intake is None else latest_intake,
            **{flag: flag in flags for flag in FLAGS},
        }

    @staticmethod
    def _counts(connection: Connection, keys: list[str]) -> dict[str, tuple[int, int]]:
        """(all message rows, rows with text) of each conversation that has any."""
        with_text = func.sum(case((MESSAGES.c.is_payload.is_(False), 1), else_=0))
        counted = connection.execute(
            select(MESSAGES.c.conversation_hash, func.count(), func.coalesce(with_text, 0))
            .where(MESSAGES.c.conversation_hash.in_(keys))
            .group_by(MESSAGES.c.conversation_hash)
        )
        return {key: (int(total), int(texts)) for key, total, texts in counted}

    # -- offsets ---------------------------------------------------------------------------

    def _save_offset(self, connection: Connection, source: str, last_id: int) -> None:
        now = datetime.now(timezone.utc)
        statement = _insert(connection, OFFSETS).values(
            source=source, last_id=last_id, updated_at=now
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["source"],
                set_={"last_id": last_id, "updated_at": now},
                where=OFFSETS.c.last_id < last_id,
            )
        )

    def offset(self, source: str) -> int | None:
        """The last committed source id for ``source`` (None: never read)."""
        with self.engine.connect() as connection:
            value = connection.execute(
                select(OFFSETS.c.last_id).where(OFFSETS.c.source == source)
            ).scalar_one_or_none()
        return None if value is None else int(value)

    def save_offset(self, source: str, last_id: int) -> None:
        """Move an offset forward on its own (``record(…, offset=…)`` does it with rows)."""
        with self.engine.begin() as connection:
            self._save_offset(connection, source, last_id)
