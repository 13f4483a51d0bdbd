"""Turning a consented intake into a ticket: idempotent, numbered per city and year, and
marked for review when one sender hands over too many (``review.py``).

Only the bot (through ``bot.tickets.outbox.submit``) and the outbox drainer create tickets, so
this is kept apart from what staff do to a ticket afterwards (``workflow.py``).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.tickets.domain import BOT_ACTOR, EventKind, Status, Submission, Ticket
from bot.tickets.lifecycle import derive_priority
from bot.tickets.references import allocate_sequence, format_reference, local_year
from bot.tickets.review import review_reason, sender_hash
from bot.tickets.rows import append_event, ticket_from_row
from bot.tickets.schema import TicketRow
from bot.tickets.users import UserStore

log = logging.getLogger(__name__)

MAX_CREATE_ATTEMPTS = 5


class TicketCreation(UserStore):
    """``create_ticket`` and the lookup it relies on; mixed into ``TicketStore``."""

    timezone: str  # decides the reference year (settings.timezone)
    review_threshold: int  # tickets per sender per 24 hours before the next one is marked

    def create_ticket(self, submission: Submission, actor: str = BOT_ACTOR) -> Ticket:
        """Store a consented intake; the same ``idempotency_key`` always yields the same ticket.

        Raises SQLAlchemy's ``OperationalError`` when the database is unreachable; callers that
        must not lose the intake use ``bot.tickets.outbox.submit`` instead.
        """
        existing = self.get_by_idempotency_key(submission.idempotency_key)
        if existing is not None:
            return existing
        for attempt in range(1, MAX_CREATE_ATTEMPTS + 1):
            try:
                return self._insert(submission, actor)
            except IntegrityError:
                existing = self.get_by_idempotency_key(submission.idempotency_key)
                if existing is not None:
                    return existing  # a concurrent call with the same key won
                if attempt == MAX_CREATE_ATTEMPTS:
                    raise
                # Two first tickets of a (city, year) raced on the sequence row: try again.
        raise AssertionError("unreachable")

    def get_by_idempotency_key(self, key: str) -> Ticket | None:
        """Unscoped lookup for the bot and the outbox (they are the ticket's source)."""
        with self.session() as session:
            stmt = select(TicketRow).where(TicketRow.idempotency_key == key)
            row = session.execute(stmt).scalars().first()
            return ticket_from_row(row) if row else None

    def _insert(self, submission: Submission, actor: str) -> Ticket:
        now = self.now()
        summary, consent = submission.summary, submission.consent
        with self.session() as session, session.begin():
            year = local_year(now, self.timezone)
            seq = allocate_sequence(session, submission.city, year)
            hashed = sender_hash(submission.conversation_id)
            reason = review_reason(session, hashed, now, self.review_threshold)
            row = TicketRow(
                reference=format_reference(submission.city, year, seq),
                idempotency_key=submission.idempotency_key,
                created_at=now,
                updated_at=now,
                city=submission.city,
                ref_year=year,
                ref_seq=seq,
                categories=list(submission.categories),
                window_ids=list(submission.window_ids),
                priority=derive_priority(submission.crisis, summary.urgency).value,
                status=Status.NEW.value,
                assigned_to=None,
                about_whom=summary.about_whom.value if summary.about_whom else None,
                age_band=summary.age_band,
                household=summary.household,
                urgency=summary.urgency.value if summary.urgency else None,
                contact_method=summary.contact_method.value if summary.contact_method else None,
                contact_value=summary.contact_value,
                display_name=summary.display_name,
                safe_contact=summary.safe_contact,
                worry_text_summary=summary.worry_text_summary,
                consent_items=list(consent.shared_items),
                consent_window_ids=list(consent.window_ids),
                consent_given_at=consent.given_at,
                consent_support_meeting=consent.support_meeting,
                resident_messages=[
                    {"text": m.text, "at": m.at.isoformat()} for m in submission.messages
                ],
                crisis=submission.crisis,
                crisis_kind=submission.crisis_kind,
                channel=submission.channel.value,
                conversation_id=submission.conversation_id,
                sender_hash=hashed,
                needs_review=reason is not None,
                review_reason=reason,
            )
            session.add(row)
            session.flush()
            # No personal data in the event: the ticket row already holds it.
            append_event(
                session,
                row,
                EventKind.CREATED,
                actor,
                {
                    "priority": row.priority,
                    "crisis": row.crisis,
                    "channel": row.channel,
                    "window_ids": row.window_ids,
                    "needs_review": row.needs_review,
                },
                self.now(),
            )
        log.info(
            "ticket %s created (%s%s)",
            row.reference,
            row.priority,
            ", marked for review" if row.needs_review else "",
        )
        return ticket_from_row(row)
