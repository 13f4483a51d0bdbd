"""Database rows to the detached values callers get, and the one way an event row is written.

Every store method returns these dataclasses rather than ORM rows, so no caller ever holds a
session (or lazy-loads after it closed). Writing events through ``append_event`` keeps "every
change bumps ``updated_at`` and leaves exactly one event" true for creation and workflow alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.tickets.domain import (
    Channel,
    Consent,
    EventKind,
    IntakeSummary,
    Priority,
    ResidentMessage,
    Status,
    Ticket,
    TicketEvent,
)
from bot.tickets.schema import TicketEventRow, TicketRow


def ticket_from_row(row: TicketRow) -> Ticket:
    return Ticket(
        reference=row.reference,
        created_at=row.created_at,
        updated_at=row.updated_at,
        city=row.city,
        categories=tuple(row.categories),
        window_ids=tuple(row.window_ids),
        priority=Priority(row.priority),
        status=Status(row.status),
        assigned_to=row.assigned_to,
        summary=IntakeSummary(
            worry_text_summary=row.worry_text_summary,
            about_whom=row.about_whom,
            age_band=row.age_band,
            household=row.household,
            urgency=row.urgency,
            contact_method=row.contact_method,
            contact_value=row.contact_value,
            display_name=row.display_name,
            safe_contact=row.safe_contact,
        ),
        consent=Consent(
            shared_items=tuple(row.consent_items),
            window_ids=tuple(row.consent_window_ids),
            given_at=row.consent_given_at,
            support_meeting=bool(row.consent_support_meeting),
        ),
        messages=tuple(
            ResidentMessage(text=m["text"], at=datetime.fromisoformat(m["at"]))
            for m in row.resident_messages
        ),
        crisis=bool(row.crisis),
        channel=Channel(row.channel),
        conversation_id=row.conversation_id,
        idempotency_key=row.idempotency_key,
        crisis_kind=row.crisis_kind,
        needs_review=bool(row.needs_review),
        review_reason=row.review_reason,
    )


def event_from_row(row: TicketEventRow, reference: str) -> TicketEvent:
    return TicketEvent(
        reference=reference, kind=EventKind(row.kind), actor=row.actor, at=row.at, data=row.data
    )


def append_event(
    session: Session,
    row: TicketRow,
    kind: EventKind,
    actor: str,
    data: dict[str, Any],
    at: datetime,
) -> TicketEventRow:
    """Add one event to the ticket's log (append-only in the database) and touch the ticket."""
    row.updated_at = at
    event = TicketEventRow(ticket_id=row.id, kind=kind.value, actor=actor, at=at, data=data)
    session.add(event)
    session.flush()
    return event
