"""Delete conversations and outbox leftovers that are older than the city keeps them.

Rasa's SQL tracker store writes one row per event in a table ``events`` (``id``, ``sender_id``,
``type_name``, ``timestamp`` as Unix seconds, ``intent_name``, ``action_name``, ``data`` as
JSON). The rules, per conversation (sender id):

* **Retention.** Every event older than the cutoff goes, except the events of the
  conversation's current session when that session is still in use: Rasa rebuilds a
  conversation from its latest ``session_started`` on, so deleting earlier sessions never
  changes what the bot remembers now, while cutting into the current session could. A
  conversation with no event after the cutoff goes completely.
* **Declined consent.** A conversation whose latest intake ended without a ticket and that
  has been quiet for the shorter window goes completely: the resident handed nothing over, so
  the city keeps only the anonymous count. "Without a ticket" is read from the events Rasa
  stores, after the latest answer to the consent question (slot ``intake_consent``): the
  answer was not "yes" ("no", or "skipped": the bot's anonymous count calls both declined),
  or ``action_cancel_intake`` ran (「いいえ」 at the summary), or
  ``action_submit_intake`` never ran (the resident left at the summary, or said 「最初から」).
  An intake still open (consent given, summary not yet confirmed or cancelled) is kept until
  the conversation has been quiet for the window *and* for Rasa's session expiry
  (``OPEN_INTAKE_GRACE``, 60 idle minutes in domain.yml, slots not carried over): until then
  the resident may still confirm, even with a window of 0 hours.

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
CONSENTED = "yes"
SUBMIT_ACTION = "action_submit_intake"
CANCEL_ACTION = "action_cancel_intake"
SESSION_STARTED = "session_started"
# domain.yml's session_expiration_time: after it Rasa starts a new session without the slots,
# so an unconfirmed intake can no longer be sent.
OPEN_INTAKE_GRACE = timedelta(minutes=60)

# Only the columns the purge needs; Rasa creates and owns the table.
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("action_name", sa.String),
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
    open_cutoff = (moment - max(declined_after, OPEN_INTAKE_GRACE)).timestamp()
    events = conversations = declined = 0
    if tracker_db is not None:
        engine = as_engine(tracker_db)
        try:
            events, conversations, declined = _purge_events(
                engine, cutoff, (declined_cutoff, open_cutoff), dry_run
            )
        finally:
            if isinstance(tracker_db, str):
                engine.dispose()
    files = _purge_outbox(outbox_dir, cutoff, dry_run) if outbox_dir is not None else 0
    return PurgeReport(events, conversations, declined, files, dry_run)


def _purge_events(
    engine: Engine, cutoff: float, declined_cutoffs: tuple[float, float], dry_run: bool
) -> tuple[int, int, int]:
    """``declined_cutoffs``: quiet since for an ended intake, and for an open one.

    A dry run deletes inside a transaction and rolls it back: the counts are exact and come
    from the same statements."""
    declined_cutoff, open_cutoff = declined_cutoffs
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
            quiet = {
                sender: last
                for sender, last in connection.execute(
                    sa.select(last_event.c.sender_id, last_event.c.last).where(
                        last_event.c.last < declined_cutoff
                    )
                )
            }
            stale = {sender for sender, last in quiet.items() if last < cutoff}
            intakes = _latest_intakes(connection, [s for s in quiet if s not in stale])
            declined = {
                sender
                for sender, intake in intakes.items()
                if intake.handed_nothing_over()
                and (not intake.is_open() or quiet[sender] < open_cutoff)
            }
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


def _latest_intakes(
    connection: sa.engine.Connection, senders: Iterable[str]
) -> dict[str, _LatestIntake]:
    """The latest intake of each of ``senders`` that has answered the consent question.

    Rasa stores the slot's or action's name in ``action_name`` for both kinds of event, so
    only the consent answers and the two ending actions are read, in the order they happened.
    """
    candidates = list(senders)
    intakes: dict[str, _LatestIntake] = {}
    for start in range(0, len(candidates), BATCH):
        rows = connection.execute(
            sa.select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.action_name, EVENTS.c.data)
            .where(
                EVENTS.c.sender_id.in_(candidates[start : start + BATCH]),
                sa.or_(
                    sa.and_(EVENTS.c.type_name == "slot", EVENTS.c.action_name == CONSENT_SLOT),
                    sa.and_(
                        EVENTS.c.type_name == "action",
                        EVENTS.c.action_name.in_([SUBMIT_ACTION, CANCEL_ACTION]),
                    ),
                ),
            )
            .order_by(EVENTS.c.id)
        )
        for sender, type_name, name, data in rows:
            intake = intakes.setdefault(sender, _LatestIntake())
            if type_name == "action":
                intake.ended_by(name)
                continue
            try:
                value = json.loads(data).get("value")
            except (TypeError, ValueError, AttributeError):
                continue
            if value is not None:  # None: the bot forgetting the answers after the intake
                intake.answered(str(value))
    return intakes


@dataclass
class _LatestIntake:
    """What a conversation's latest consent answer was and how that intake ended."""

    consent: str | None = None
    ended: bool = False
    submitted: bool = False

    def answered(self, value: str) -> None:
        self.consent, self.ended, self.submitted = value, False, False

    def ended_by(self, action: str) -> None:
        if self.consent is not None:
            self.ended, self.submitted = True, action == SUBMIT_ACTION

    def is_open(self) -> bool:
        """Consent given, not yet sent or cancelled (any other answer ends the form at once)."""
        return self.consent == CONSENTED and not self.ended

    def handed_nothing_over(self) -> bool:
        """Declined, cancelled or not (yet) sent (the module docstring's "without a ticket")."""
        return self.consent is not None and not self.submitted


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
