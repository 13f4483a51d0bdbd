"""Delete conversations and outbox leftovers that are older than the city keeps them.

Rasa's SQL tracker store writes one row per event in a table ``events`` (``id``, ``sender_id``,
``type_name``, ``timestamp`` as Unix seconds, ``intent_name``, ``action_name``, ``data`` as
JSON). The rules, per conversation (sender id):

* **Retention.** Every event older than the cutoff goes, except the events of the
  conversation's current session when that session is still in use: Rasa rebuilds a
  conversation from its latest ``session_started`` on, so deleting earlier sessions never
  changes what the bot remembers now, while cutting into the current session could. A
  conversation with no event after the cutoff goes completely.
* **Declined consent.** A conversation whose latest consent answer is "no" (slot
  ``intake_consent``) and that has been quiet for the shorter window goes completely: the
  resident chose not to hand anything over, so the city keeps only the anonymous count.

The table is read with SQLAlchemy Core (no Rasa import: the CLI stays fast and works against
the production PostgreSQL from any host with the driver). Outbox files still waiting for
delivery are never deleted — they are consented intakes; only ``failed/`` entries and
abandoned temp files past the cutoff are leftovers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.tickets.engine import as_engine

CONSENT_SLOT = "intake_consent"
DECLINED = "no"
SESSION_STARTED = "session_started"

# Only the columns the purge needs; Rasa creates and owns the table.
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)


@dataclass(frozen=True)
class PurgeReport:
    """What was (or, with ``dry_run``, would be) deleted: counts only, safe to print and log."""

    events: int = 0
    conversations: int = 0  # conversations removed completely
    declined_conversations: int = 0  # of which because consent was declined
    outbox_files: int = 0
    dry_run: bool = False


def purge(
    tracker_db: Engine | str | None,
    outbox_dir: Path | None,
    *,
    older_than: timedelta,
    declined_after: timedelta,
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Apply the retention rules of the module docstring; returns the counts."""
    moment = now or datetime.now(timezone.utc)
    cutoff = (moment - older_than).timestamp()
    declined_cutoff = (moment - declined_after).timestamp()
    events = conversations = declined = 0
    if tracker_db is not None:
        engine = as_engine(tracker_db)
        try:
            events, conversations, declined = _purge_events(
                engine, cutoff, declined_cutoff, dry_run
            )
        finally:
            if isinstance(tracker_db, str):
                engine.dispose()
    files = _purge_outbox(outbox_dir, cutoff, dry_run) if outbox_dir is not None else 0
    return PurgeReport(events, conversations, declined, files, dry_run)


def _purge_events(
    engine: Engine, cutoff: float, declined_cutoff: float, dry_run: bool
) -> tuple[int, int, int]:
    """A dry run deletes inside a transaction and rolls it back: the counts are exact and come
    from the same statements."""
    if not sa.inspect(engine).has_table("events"):
        return 0, 0, 0  # Rasa has not written a conversation yet
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            last_event = (
                sa.select(EVENTS.c.sender_id, sa.func.max(EVENTS.c.timestamp).label("last"))
                .group_by(EVENTS.c.sender_id)
                .subquery()
            )
            quiet_since = sa.select(last_event.c.sender_id)
            stale = set(connection.scalars(quiet_since.where(last_event.c.last < cutoff)))
            quiet = connection.scalars(quiet_since.where(last_event.c.last < declined_cutoff))
            declined = _declined(connection, [sender for sender in quiet if sender not in stale])
            whole = sorted(stale | declined)

            # Earlier sessions of conversations that are still going: older than the cutoff
            # and than the latest session start of their own conversation (no session start:
            # one session, kept whole until the conversation is stale).
            starts = EVENTS.alias("session_starts")
            current_session = (
                sa.select(sa.func.max(starts.c.timestamp))
                .where(
                    starts.c.sender_id == EVENTS.c.sender_id,
                    starts.c.type_name == SESSION_STARTED,
                )
                .correlate(EVENTS)
                .scalar_subquery()
            )
            deleted = _delete(
                connection,
                sa.and_(EVENTS.c.timestamp < cutoff, EVENTS.c.timestamp < current_session),
            )
            for start in range(0, len(whole), BATCH):
                deleted += _delete(connection, EVENTS.c.sender_id.in_(whole[start : start + BATCH]))
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return deleted, len(whole), len(declined)


# Sender ids per DELETE … IN (…): below SQLite's old 999-variable limit.
BATCH = 500


def _delete(connection: sa.engine.Connection, condition: sa.ColumnElement) -> int:
    return int(connection.execute(sa.delete(EVENTS).where(condition)).rowcount or 0)


def _declined(connection: sa.engine.Connection, senders: Iterable[str]) -> set[str]:
    """The senders among ``senders`` whose latest answer to the consent question was "no"."""
    candidates = list(senders)
    latest: dict[str, object] = {}
    for start in range(0, len(candidates), BATCH):
        rows = connection.execute(
            sa.select(EVENTS.c.sender_id, EVENTS.c.data)
            .where(
                EVENTS.c.sender_id.in_(candidates[start : start + BATCH]),
                EVENTS.c.type_name == "slot",
                EVENTS.c.data.contains(CONSENT_SLOT),
            )
            .order_by(EVENTS.c.id)
        )
        for sender, data in rows:
            try:
                event = json.loads(data)
            except (TypeError, ValueError):
                continue
            if event.get("name") == CONSENT_SLOT and event.get("value") is not None:
                latest[sender] = event.get("value")
    return {sender for sender, value in latest.items() if value == DECLINED}


def _purge_outbox(directory: Path, cutoff: float, dry_run: bool) -> int:
    """Quarantined entries and abandoned temp files last modified before ``cutoff``."""
    leftovers = [
        *(directory / "failed").glob("*"),
        *directory.glob(".tmp-*"),
    ]
    count = 0
    for path in leftovers:
        try:
            if not path.is_file() or path.stat().st_mtime >= cutoff:
                continue
            if not dry_run:
                path.unlink()
            count += 1
        except FileNotFoundError:
            continue  # removed meanwhile
    return count
