"""ORM mapping of the analytic tables: what a city's Metabase or Superset reads.

Like ``bot.tickets.schema``, this module *describes* the tables and never creates them: the
schema belongs to the Alembic migrations in ``bot/analytics/migrations`` (version table
``alembic_version_analytics``), so the analytic tables can share the ticket store's database
or live in one of their own (``ANALYTICS_DATABASE_URL``). All table names start with
``analytic_``; the analytics migrations touch nothing else.

Nothing here identifies a resident: conversations are salted hashes
(``bot.analytics.identity``), message texts are masked (``bot.analytics.masking``), and no
column is copied from the ticket store's personal fields. Times are UTC (``occurred_at`` …);
the calendar columns are precomputed in Japan time (JST, UTC+9, no daylight saving) because
that is the week and the hour the cities count in.

Abandonment is not stored: it depends on when a report is run. A report counts a conversation
as *abandoned* when it has no ticket (``ticket_created`` false), no refusal
(``consent_refused`` false) and its ``last_event_at`` is more than 30 minutes before the end
of the report's period (or before now): the resident left without an outcome. Containment
(the bot's answer was enough, no person needed) is ``window_shown and not handoff_offered``;
escalation is ``handoff_offered``; see ``bot.analytics.events`` for each flag's definition.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base

from bot.tickets.schema import NAMING_CONVENTION, JSONType, UTCDateTime

__all__ = [
    "ABANDON_AFTER_MINUTES",
    "AnalyticBase",
    "ConversationRow",
    "LabelRow",
    "MessageRow",
    "OffsetRow",
    "TABLE_NAMES",
]

#: Idle time after which a conversation without ticket or refusal counts as abandoned.
ABANDON_AFTER_MINUTES = 30

AnalyticBase: Any = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class MessageRow(AnalyticBase):
    """``analytic_messages``: one row per resident message (a ``user`` event).

    Columns:

    * ``id`` — surrogate key (labels point at it).
    * ``event_key`` — UNIQUE; SHA-256 of the conversation hash, the event's timestamp and its
      Rasa ``message_id`` (never the text): the same event delivered twice maps to the same
      key and is inserted once.
    * ``conversation_hash`` — HMAC-SHA256 of Rasa's sender id under ``ANALYTICS_SALT``; joins
      ``analytic_conversations``.
    * ``occurred_at`` — when the message arrived (UTC, timezone-aware).
    * ``jst_date``, ``iso_year``, ``iso_week`` — the date and ISO week in Japan time (a
      message at 2026-01-04 23:30 JST is week 2026-W01; at 2026-01-05 00:10 JST, W02).
    * ``hour_jst`` (0–23), ``weekday_jst`` (1 = Monday … 7 = Sunday, ISO) — for "when are
      lines needed" (crisis by hour and weekday).
    * ``channel`` — ``line``, ``web`` or ``rest`` (any other REST client), as the ticket uses.
    * ``city`` — ``ube``, ``masuda``, ``kurume``, ``fuji``, ``other`` (a city outside the four)
      or NULL (not known yet at this message).
    * ``categories`` — JSON list of worry codes in canonical order (``housing`` … ``isolation``);
      for a button press, the code the button carried.
    * ``confidences`` — JSON object code → the classifier's confidence (0–1) for every code
      it scored; ``{}`` for a button press.
    * ``crisis`` — the NLU's crisis detector fired (the bot answered with crisis lines first);
      ``crisis_kind`` — its kind (e.g. ``suicide``, ``abuse``…), NULL otherwise.
    * ``fallback`` — NULL, or why the bot did not understand: ``nlu_fallback`` (Rasa's
      FallbackClassifier, or categories the classifier did not support), ``out_of_scope``
      (not a welfare matter), ``low_confidence`` (understood, but the top intent's confidence
      was under ``bot.analytics.events.LOW_CONFIDENCE``).
    * ``all_routed`` — TRUE when every category has a specialised window in the city; FALSE
      when one falls in a gap (制度の狭間, see ``unrouted``); NULL with no city (or
      ``other``) or no categories.
    * ``unrouted`` — JSON list of the categories with no specialised window in that city (the
      directory's gap categories, sent to the 多機関協働 window); ``[]`` when all routed.
    * ``is_payload`` — TRUE for a button press (Rasa's ``/intent{…}`` payload): it counts for
      categories and the funnel but is not something the resident wrote.
    * ``masked_text`` — the message after ``bot.analytics.masking.mask``; NULL for a button,
      and NULL for an answer to the intake's questions (sent while ``intake_form`` runs: a
      name, a phone number, an address, an age are the whole message there, and a bare
      「みどり」 or 「〇九〇の…」 is beyond what masking can recognise; such answers are no
      unmet need either, so their ``fallback`` is NULL too).
    """

    __tablename__ = "analytic_messages"
    __table_args__ = (
        Index("ix_analytic_messages_city_iso_week", "city", "iso_year", "iso_week"),
        Index("ix_analytic_messages_occurred_at", "occurred_at"),
    )

    id = Column(Integer, primary_key=True)
    event_key = Column(String(64), nullable=False, unique=True)
    conversation_hash = Column(String(64), nullable=False, index=True)
    occurred_at = Column(UTCDateTime, nullable=False)
    jst_date = Column(Date, nullable=False)
    iso_year = Column(Integer, nullable=False)
    iso_week = Column(Integer, nullable=False)
    hour_jst = Column(Integer, nullable=False)
    weekday_jst = Column(Integer, nullable=False)
    channel = Column(String(16), nullable=False)
    city = Column(String(32), nullable=True)
    categories = Column(JSONType, nullable=False)
    confidences = Column(JSONType, nullable=False)
    crisis = Column(Boolean, nullable=False)
    crisis_kind = Column(String(20), nullable=True)
    fallback = Column(String(20), nullable=True)
    all_routed = Column(Boolean, nullable=True)
    unrouted = Column(JSONType, nullable=False)
    is_payload = Column(Boolean, nullable=False)
    masked_text = Column(Text, nullable=True)


class ConversationRow(AnalyticBase):
    """``analytic_conversations``: one row per conversation, its funnel as flags.

    A flag only ever goes from FALSE to TRUE (replaying events cannot undo it); the exact
    events behind each are in ``bot.analytics.events``.

    * ``conversation_hash`` — primary key, as in ``analytic_messages``.
    * ``channel`` — where the conversation came from (first channel seen).
    * ``city`` — the conversation's latest city (``ube`` … ``other``), NULL if never given.
    * ``started_at`` — first event seen (UTC); ``last_event_at`` — latest event seen (UTC).
    * ``worry_recognised`` — at least one worry category recognised.
    * ``window_shown`` — the bot named windows for the worries.
    * ``handoff_offered`` — the bot offered to pass the consultation to staff (it does after
      nearly every answer naming a window in the four cities: an offer, not an escalation).
    * ``handoff_accepted`` — the resident took it: the intake questions began (escalation).
    * ``consent_given`` — the resident's answer to the intake's consent question was yes.
    * ``consent_refused`` — the resident said no to the offer or the consent, or cancelled.
    * ``ticket_created`` — the intake was handed to the ticket store (a reference was given,
      or it was kept in the outbox to be created when the database is back).
    * ``crisis`` — a crisis was detected or answered in the conversation.
    * ``message_count`` — resident messages with text (buttons not counted).
    * ``in_intake`` — not a funnel flag but the conversation's current state: the intake form
      is running (Rasa's ``active_loop``), so the next messages are withheld answers. Kept
      here because the question and its answer may arrive in different batches.

    Contained and abandoned are computed by reports (``bot.analytics.queries``), not stored:
    contained = ``window_shown`` and neither ``handoff_accepted`` nor ``ticket_created``;
    abandoned = not contained, not ``ticket_created``, not ``consent_refused``, and
    ``last_event_at`` older than ``ABANDON_AFTER_MINUTES`` (30).
    """

    __tablename__ = "analytic_conversations"
    __table_args__ = (Index("ix_analytic_conversations_city_started_at", "city", "started_at"),)

    conversation_hash = Column(String(64), primary_key=True)
    channel = Column(String(16), nullable=True)
    city = Column(String(32), nullable=True)
    started_at = Column(UTCDateTime, nullable=False)
    last_event_at = Column(UTCDateTime, nullable=False)
    worry_recognised = Column(Boolean, nullable=False, default=False)
    window_shown = Column(Boolean, nullable=False, default=False)
    handoff_offered = Column(Boolean, nullable=False, default=False)
    handoff_accepted = Column(Boolean, nullable=False, default=False)
    consent_given = Column(Boolean, nullable=False, default=False)
    consent_refused = Column(Boolean, nullable=False, default=False)
    ticket_created = Column(Boolean, nullable=False, default=False)
    crisis = Column(Boolean, nullable=False, default=False)
    message_count = Column(Integer, nullable=False, default=0)
    in_intake = Column(Boolean, nullable=False, default=False)


class LabelRow(AnalyticBase):
    """``analytic_labels``: an analyst's label in the unmet-need inbox.

    * ``id`` — surrogate key.
    * ``message_id`` — the labelled message (``analytic_messages.id``), or NULL for a cluster
      label; deleted with its message (retention purge).
    * ``cluster_key`` — the labelled cluster (stable key chosen by the inbox), or NULL.
      At least one of ``message_id`` / ``cluster_key`` is set.
    * ``label`` — a category code (``housing`` …) or ``new:<short name>`` for a need no
      category covers (``new:ペットの世話``).
    * ``labelled_by`` — the console username of the analyst.
    * ``labelled_at`` — when (UTC).
    """

    __tablename__ = "analytic_labels"
    __table_args__ = (
        CheckConstraint(
            "message_id IS NOT NULL OR cluster_key IS NOT NULL", name="message_or_cluster"
        ),
    )

    id = Column(Integer, primary_key=True)
    message_id = Column(
        Integer,
        ForeignKey("analytic_messages.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    )
    cluster_key = Column(String(64), nullable=True, index=True)
    label = Column(String(100), nullable=False)
    labelled_by = Column(String(64), nullable=False)
    labelled_at = Column(UTCDateTime, nullable=False)


class OffsetRow(AnalyticBase):
    """``analytic_offsets``: how far a polled source has been read.

    * ``source`` — primary key, e.g. ``sql:events`` for Rasa's SQL event broker table.
    * ``last_id`` — the highest source row id whose events are committed here.
    * ``updated_at`` — when it last moved (UTC).
    """

    __tablename__ = "analytic_offsets"

    source = Column(String(100), primary_key=True)
    last_id = Column(Integer, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)


TABLE_NAMES = frozenset(AnalyticBase.metadata.tables)
